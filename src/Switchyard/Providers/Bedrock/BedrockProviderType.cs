using Switchyard.Catalog;
using Switchyard.Configuration;
using Switchyard.Dialects;
using Switchyard.Forwarding;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// AWS Bedrock (provider type <c>bedrock</c>): every chat model through Converse, signed with SigV4
/// for the endpoint's own host, or sent with a Bedrock API key.
/// </summary>
internal sealed class BedrockProviderType : IProviderType
{
    public static BedrockProviderType Instance { get; } = new();

    private static readonly Dialect Converse = ProviderSettings.Dialect("bedrock-converse");

    public string Name => BedrockOptions.Type;

    /// <summary>The OpenTelemetry GenAI conventions' name for Bedrock.</summary>
    public string TelemetryName => "aws.bedrock";

    public Dialect? DialectFor(ModelKind kind, string? api) => kind == ModelKind.Chat ? Converse : null;

    public void Validate(ProviderOptions options, string path, Func<string, string?> environment, Action<string, string> problem) =>
        ProviderSettings.Report(BedrockOptionsValidator.Validate(BedrockOptions.Bind(ProviderSettings.Section(options)), path, environment), problem);

    public Provider Compile(ProviderOptions options, ProviderContext context)
    {
        var environment = context.Environment;
        var bedrock = BedrockOptions.Bind(ProviderSettings.Section(options));
        return new Provider
        {
            Name = options.Name,
            Type = this,
            BaseUrl = bedrock.EndpointUrl,
            Signer = BedrockSigners.Create(bedrock, environment, context.Time),
            Headers = options.Headers.ToDictionary(h => h.Key, h => EnvReferenceResolver.Resolve(h.Value, environment) ?? string.Empty),
            Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds ?? 600),
            Retries = options.Retries,
            MaxConcurrency = options.MaxConcurrency,
            Search = options.Search ?? false,
            Invoker = UpstreamHandlerFactory.Create(),
        };
    }
}
