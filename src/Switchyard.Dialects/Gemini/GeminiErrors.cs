using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Gemini;

/// <summary>Google's error envelope <c>{"error":{"code","message","status"}}</c> with its canonical status names (https://ai.google.dev/gemini-api/docs/troubleshooting).</summary>
public static class GeminiErrors
{
    public static string StatusOf(GatewayError error) => error.Kind switch
    {
        GatewayErrorKind.InvalidRequest or GatewayErrorKind.Unprocessable or GatewayErrorKind.PayloadTooLarge => "INVALID_ARGUMENT",
        GatewayErrorKind.Unauthenticated => "UNAUTHENTICATED",
        GatewayErrorKind.CreditExhausted => "FAILED_PRECONDITION",
        GatewayErrorKind.ModelNotAllowed => "PERMISSION_DENIED",
        GatewayErrorKind.ModelNotFound or GatewayErrorKind.NotFound => "NOT_FOUND",
        GatewayErrorKind.RateLimited => "RESOURCE_EXHAUSTED",
        GatewayErrorKind.AllDeploymentsBusy or GatewayErrorKind.UpstreamFailed => "UNAVAILABLE",
        GatewayErrorKind.UpstreamTimeout => "DEADLINE_EXCEEDED",
        _ => "INTERNAL",
    };

    public static void Write(GatewayError error, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        WriteEnvelope(writer, error);
    }

    public static void WriteEnvelope(Utf8JsonWriter writer, GatewayError error)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("error"u8);
        writer.WriteNumber("code"u8, error.Status);
        writer.WriteString("message"u8, error.Message);
        writer.WriteString("status"u8, StatusOf(error));
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static GatewayError Read(int status, ReadOnlySpan<byte> body)
    {
        string? message = null;
        try
        {
            // Google sometimes answers with a one-element array of envelopes.
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement.ValueKind == JsonValueKind.Array && document.RootElement.GetArrayLength() > 0
                ? document.RootElement[0]
                : document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error"u8, out var error)
                && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message"u8, out var text) && text.ValueKind == JsonValueKind.String)
            {
                message = text.GetString();
            }
        }
        catch (JsonException)
        {
            // Not Google's envelope: keep only the status.
        }

        return UpstreamErrors.FromStatus(status, message);
    }
}
