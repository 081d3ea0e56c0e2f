using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.OpenAI.Chat;

/// <summary>OpenAI Chat Completions (<c>POST /v1/chat/completions</c>), both sides.</summary>
public sealed class ChatCompletionsDialect : ChatDialect
{
    public static ChatCompletionsDialect Instance { get; } = new();

    public override Dialect Dialect => Dialect.OpenAIChat;

    public override ChatRequest ReadRequest(ReadOnlyMemory<byte> body, ParamAdjustments adjustments)
    {
        ChatCompletionRequestWire? wire;
        try
        {
            wire = JsonSerializer.Deserialize(body.Span, ChatCompletionsJsonContext.Default.ChatCompletionRequestWire);
        }
        catch (JsonException exception)
        {
            throw GatewayException.InvalidRequest(JsonErrors.Describe(exception), JsonErrors.Param(exception));
        }

        if (wire is null)
        {
            throw GatewayException.InvalidRequest("The request body must be a JSON object.");
        }

        adjustments.Strict = wire.StrictParams == true;
        return ChatCompletionsMapping.ToCanonical(wire, adjustments);
    }

    public override void WriteResponse(ChatResponse response, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        ChatCompletionsResponseWriter.Write(writer, response);
    }

    public override IAsyncEnumerable<SseFrame> WriteStream(IAsyncEnumerable<StreamEvent> events, StreamWriteOptions options, CancellationToken cancellationToken) =>
        ChatCompletionsStreamWriter.WriteAsync(events, options, cancellationToken);

    public override void WriteError(GatewayError error, IBufferWriter<byte> output) => OpenAIErrors.Write(error, output);

    public override void WriteRequest(ChatRequest request, string upstreamModel, IBufferWriter<byte> output)
    {
        var wire = ChatCompletionsMapping.FromCanonical(request, upstreamModel);
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        JsonSerializer.Serialize(writer, wire, ChatCompletionsJsonContext.Default.ChatCompletionRequestWire);
    }

    public override ChatResponse ReadResponse(ReadOnlySpan<byte> body)
    {
        try
        {
            var wire = JsonSerializer.Deserialize(body, ChatCompletionsJsonContext.Default.ChatCompletionWire)
                ?? throw new JsonException("null response");
            return ChatCompletionsMapping.ToCanonical(wire);
        }
        catch (JsonException)
        {
            throw new GatewayException(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed response.") { Code = "upstream_error" });
        }
    }

    public override IAsyncEnumerable<StreamEvent> ReadStream(IAsyncEnumerable<SseFrame> frames, CancellationToken cancellationToken) =>
        ChatCompletionsStreamReader.ReadAsync(frames, cancellationToken);

    public override GatewayError ReadError(int status, ReadOnlySpan<byte> body) => OpenAIErrors.Read(status, body);
}
