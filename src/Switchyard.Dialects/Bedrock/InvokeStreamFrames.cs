using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Bedrock;

/// <summary>
/// <c>InvokeModelWithResponseStream</c> for a model with its own wire format (Anthropic Messages on
/// Bedrock): each event-stream <c>chunk</c> carries one of the model's own stream events, base64 in
/// <c>{"bytes":…}</c>. This unwraps them into the frames that model's dialect reads, named by the
/// event's <c>type</c> as its SSE would be; an exception frame becomes an Anthropic <c>error</c> event.
/// </summary>
public static class InvokeStreamFrames
{
    public static async IAsyncEnumerable<SseFrame> ReadAsync(IAsyncEnumerable<SseFrame> frames, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var frame in frames.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (BedrockErrors.IsException(frame.EventType))
            {
                yield return AnthropicError(frame.EventType!, frame.Data.Span);
                yield break;
            }

            if (frame.EventType != "chunk")
            {
                continue;
            }

            yield return Unwrap(frame.Data.Span) ?? AnthropicError("modelStreamErrorException", """{"message":"The upstream sent a malformed stream chunk."}"""u8);
        }
    }

    private static SseFrame? Unwrap(ReadOnlySpan<byte> chunk)
    {
        try
        {
            var reader = new Utf8JsonReader(chunk);
            string? bytes = null;
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isBytes = reader.ValueTextEquals("bytes"u8);
                    reader.Read();
                    if (isBytes && reader.TokenType == JsonTokenType.String)
                    {
                        bytes = reader.GetString();
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }

            if (bytes is null)
            {
                return null;
            }

            var data = Convert.FromBase64String(bytes);
            return new SseFrame(EventType(data), data);
        }
        catch (Exception exception) when (exception is JsonException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The event's <c>type</c>, which Anthropic's SSE repeats as the event name.</summary>
    private static string? EventType(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            reader.Read();
            if (isType && reader.TokenType == JsonTokenType.String)
            {
                return reader.GetString();
            }

            reader.Skip();
        }

        return null;
    }

    private static SseFrame AnthropicError(string exceptionType, ReadOnlySpan<byte> payload)
    {
        var error = BedrockErrors.ReadException(exceptionType, payload);
        var type = error.Kind switch
        {
            GatewayErrorKind.RateLimited => "rate_limit_error",
            GatewayErrorKind.InvalidRequest => "invalid_request_error",
            GatewayErrorKind.UpstreamTimeout => "timeout_error",
            _ when exceptionType.StartsWith("serviceUnavailable", StringComparison.OrdinalIgnoreCase) => "overloaded_error",
            _ => "api_error",
        };
        using var output = new PooledBufferWriter(256);
        using (var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "error"u8);
            writer.WriteStartObject("error"u8);
            writer.WriteString("type"u8, type);
            writer.WriteString("message"u8, error.Message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return new SseFrame("error", output.WrittenSpan.ToArray());
    }
}
