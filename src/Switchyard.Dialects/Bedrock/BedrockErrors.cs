using System.Buffers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Bedrock;

/// <summary>
/// Bedrock runtime errors (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_Errors):
/// the type travels in the <c>x-amzn-ErrorType</c> header (<c>ThrottlingException:http://…</c>) or,
/// inside a stream, as an event-stream exception (<c>throttlingException</c>); the body is
/// <c>{"message":…}</c>. ARNs in messages name the operator's account and are scrubbed.
/// </summary>
public static partial class BedrockErrors
{
    /// <summary>The header that names the error type of an HTTP error answer.</summary>
    public const string ErrorTypeHeader = "x-amzn-ErrorType";

    /// <summary>An HTTP error answer; <paramref name="errorType"/> is the <c>x-amzn-ErrorType</c> header when present.</summary>
    public static GatewayError Read(int status, string? errorType, ReadOnlySpan<byte> body)
    {
        var (message, bodyType) = Parse(body);
        return FromType(status, errorType ?? bodyType, message);
    }

    /// <summary>An exception frame of a ConverseStream (its <c>:exception-type</c> and <c>{"message":…}</c> payload).</summary>
    public static GatewayError ReadException(string exceptionType, ReadOnlySpan<byte> payload) =>
        FromType(502, exceptionType, Parse(payload).Message);

    /// <summary>True for a stream frame name that is an error rather than an event (<c>…Exception</c>, or an <c>error</c> message's code).</summary>
    public static bool IsException(string? frameName) =>
        frameName is not null && (frameName.EndsWith("Exception", StringComparison.OrdinalIgnoreCase) || frameName.EndsWith("Error", StringComparison.OrdinalIgnoreCase)
            || frameName.EndsWith("Failure", StringComparison.OrdinalIgnoreCase));

    public static GatewayError FromType(int status, string? type, string? message)
    {
        // "ThrottlingException:http://internal.amazon.com/coral/…" → "throttlingexception".
        var name = type is null ? string.Empty : type.Split(':', 2)[0].Trim().ToUpperInvariant();
        var scrubbed = ArnPattern().Replace(message ?? string.Empty, "[resource]");
        return name switch
        {
            "THROTTLINGEXCEPTION" or "SERVICEQUOTAEXCEEDEDEXCEPTION" or "TOOMANYREQUESTSEXCEPTION" => UpstreamErrors.FromStatus(429, scrubbed),
            "VALIDATIONEXCEPTION" => UpstreamErrors.FromStatus(400, scrubbed),
            "RESOURCENOTFOUNDEXCEPTION" => UpstreamErrors.FromStatus(404, scrubbed),
            "ACCESSDENIEDEXCEPTION" or "UNRECOGNIZEDCLIENTEXCEPTION" or "INVALIDSIGNATUREEXCEPTION" or "EXPIREDTOKENEXCEPTION"
                or "INCOMPLETESIGNATUREEXCEPTION" or "MISSINGAUTHENTICATIONTOKENEXCEPTION" => UpstreamErrors.FromStatus(403, scrubbed),
            "MODELTIMEOUTEXCEPTION" => UpstreamErrors.FromStatus(504, scrubbed) with { Kind = GatewayErrorKind.UpstreamTimeout, Code = null },
            "MODELNOTREADYEXCEPTION" or "SERVICEUNAVAILABLEEXCEPTION" => UpstreamErrors.FromStatus(503, scrubbed),
            "INTERNALSERVEREXCEPTION" => UpstreamErrors.FromStatus(500, scrubbed),
            "MODELERROREXCEPTION" or "MODELSTREAMERROREXCEPTION" => UpstreamErrors.FromStatus(502, scrubbed),
            _ => UpstreamErrors.FromStatus(status, scrubbed),
        };
    }

    /// <summary>Bedrock's own envelope, <c>{"message":…}</c>, for a client that speaks Converse.</summary>
    public static void Write(GatewayError error, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("message"u8, error.Message);
        writer.WriteEndObject();
    }

    private static (string? Message, string? Type) Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            var wire = JsonSerializer.Deserialize(body, ConverseJsonContext.Default.BedrockErrorWire);
            return (wire?.Message ?? wire?.CapitalMessage, wire?.Type);
        }
        catch (Exception exception) when (exception is JsonException || JsonErrors.IsValueError(exception))
        {
            // Not Bedrock's envelope (a proxy's page): keep only the status and type.
            return default;
        }
    }

    [GeneratedRegex(@"\barn:aws[a-z-]*:[^\s""'<>,]+", RegexOptions.IgnoreCase)]
    private static partial Regex ArnPattern();
}
