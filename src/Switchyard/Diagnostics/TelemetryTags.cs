using Switchyard.Catalog;
using Switchyard.Dialects;

namespace Switchyard.Diagnostics;

/// <summary>
/// Attribute names shared by metrics and spans: the OpenTelemetry GenAI and HTTP semantic
/// conventions where they have a name, <c>switchyard.*</c> for the gateway's own notions.
/// </summary>
internal static class TelemetryTags
{
    public const string OperationName = "gen_ai.operation.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string ResponseModel = "gen_ai.response.model";
    public const string ProviderName = "gen_ai.provider.name";
    public const string TokenType = "gen_ai.token.type";
    public const string UsageInputTokens = "gen_ai.usage.input_tokens";
    public const string UsageOutputTokens = "gen_ai.usage.output_tokens";
    public const string StatusCode = "http.response.status_code";
    public const string ErrorType = "error.type";
    public const string Surface = "switchyard.surface";
    public const string Deployment = "switchyard.deployment";

    /// <summary>The catalog model an attempt serves (a fallback's own id when it is one).</summary>
    public const string Model = "switchyard.model";
    public const string Provider = "switchyard.provider";
    public const string RequestId = "switchyard.request_id";
    public const string Attempt = "switchyard.attempt";
    public const string Attempts = "switchyard.attempts";
    public const string Outcome = "switchyard.outcome";
    public const string Stream = "switchyard.stream";
    public const string TokenBucket = "switchyard.token.bucket";
    public const string RefusalOrigin = "switchyard.refusal.origin";

    private static readonly object?[] BoxedStatuses = new object?[600];
    private static readonly string[] ErrorTypes = Enum.GetNames<GatewayErrorKind>().Select(SnakeCase).ToArray();

    /// <summary>The status as a boxed int, boxed once per value so that recording it allocates nothing.</summary>
    public static object Status(int status)
    {
        if ((uint)status >= BoxedStatuses.Length)
        {
            return status;
        }

        return BoxedStatuses[status] ??= status;
    }

    /// <summary><c>error.type</c>: the gateway's error kind in snake case (<c>upstream_timeout</c>), a small closed set.</summary>
    public static string ErrorTypeOf(GatewayErrorKind kind) =>
        (uint)kind < (uint)ErrorTypes.Length ? ErrorTypes[(int)kind] : "internal";

    private static string SnakeCase(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
