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
        GatewayErrorKind.AllDeploymentsBusy or GatewayErrorKind.UpstreamFailed or GatewayErrorKind.GatewayBusy => "UNAVAILABLE",
        GatewayErrorKind.UpstreamTimeout or GatewayErrorKind.RequestTimeout => "DEADLINE_EXCEEDED",
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
        var (message, _, keyInvalid) = Parse(body);
        return UpstreamErrors.FromStatus(keyInvalid ? 401 : status, message);
    }

    /// <summary>An in-stream <c>{"error":…}</c> chunk: its own <c>code</c> stands for the HTTP status, as the stream reader reads it.</summary>
    public static GatewayError ReadChunk(ReadOnlySpan<byte> chunk)
    {
        var (message, code, keyInvalid) = Parse(chunk);
        return UpstreamErrors.FromStatus(keyInvalid ? 401 : code ?? 502, message);
    }

    private static (string? Message, int? Code, bool KeyInvalid) Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            // Google sometimes answers with a one-element array of envelopes.
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement.ValueKind == JsonValueKind.Array && document.RootElement.GetArrayLength() > 0
                ? document.RootElement[0]
                : document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error"u8, out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return default;
            }

            var message = error.TryGetProperty("message"u8, out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : null;
            int? code = error.TryGetProperty("code"u8, out var number) && number.TryGetInt32(out var value) ? value : null;

            // Google answers a bad API key with 400 INVALID_ARGUMENT and reason API_KEY_INVALID: the
            // gateway's own key is refused, which is not the caller's fault (UpstreamErrors: 401/403).
            var keyInvalid = error.TryGetProperty("details"u8, out var details) && details.ValueKind == JsonValueKind.Array
                && details.EnumerateArray().Any(d => d.ValueKind == JsonValueKind.Object && d.TryGetProperty("reason"u8, out var reason)
                    && reason.ValueKind == JsonValueKind.String && reason.ValueEquals("API_KEY_INVALID"u8));
            return (message, code, keyInvalid);
        }
        catch (Exception exception) when (exception is JsonException || JsonErrors.IsValueError(exception))
        {
            // Not Google's envelope: keep only the status.
            return default;
        }
    }
}
