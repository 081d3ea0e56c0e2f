using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Anthropic;

/// <summary>Anthropic Messages (<c>POST /v1/messages</c>), both sides.</summary>
public sealed class AnthropicMessagesDialect : ChatDialect
{
    public static AnthropicMessagesDialect Instance { get; } = new();

    public override Dialect Dialect => Dialect.AnthropicMessages;

    public override ChatRequest ReadRequest(ReadOnlyMemory<byte> body, ParamAdjustments adjustments) =>
        Read(body, adjustments, requireMaxTokens: true);

    /// <summary>Parses a <c>count_tokens</c> body: a Messages request without <c>max_tokens</c>.</summary>
    public static ChatRequest ReadCountTokensRequest(ReadOnlyMemory<byte> body) =>
        Read(body, new ParamAdjustments(), requireMaxTokens: false);

    private static ChatRequest Read(ReadOnlyMemory<byte> body, ParamAdjustments adjustments, bool requireMaxTokens)
    {
        MessagesRequestWire? wire;
        try
        {
            wire = JsonSerializer.Deserialize(body.Span, AnthropicJsonContext.Default.MessagesRequestWire);
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
        return MessagesMapping.ToCanonical(wire, adjustments, requireMaxTokens);
    }

    public override void WriteResponse(ChatResponse response, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        MessagesResponseWriter.Write(writer, response);
    }

    public override IAsyncEnumerable<SseFrame> WriteStream(IAsyncEnumerable<StreamEvent> events, StreamWriteOptions options, CancellationToken cancellationToken) =>
        MessagesStreamWriter.WriteAsync(events, options, cancellationToken);

    public override void WriteError(GatewayError error, IBufferWriter<byte> output) => AnthropicErrors.Write(error, output);

    public override void WriteRequest(ChatRequest request, string upstreamModel, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        MessagesRequestWriter.Write(writer, request, upstreamModel);
    }

    public override ChatResponse ReadResponse(ReadOnlySpan<byte> body)
    {
        try
        {
            var wire = JsonSerializer.Deserialize(body, AnthropicJsonContext.Default.MessageResponseWire)
                ?? throw new JsonException("null response");
            return MessagesMapping.ToCanonical(wire);
        }
        catch (JsonException)
        {
            throw new GatewayException(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed response.") { Code = "upstream_error" });
        }
    }

    public override IAsyncEnumerable<StreamEvent> ReadStream(IAsyncEnumerable<SseFrame> frames, CancellationToken cancellationToken) =>
        MessagesStreamReader.ReadAsync(frames, cancellationToken);

    public override GatewayError ReadError(int status, ReadOnlySpan<byte> body) => AnthropicErrors.Read(status, body);

    /// <summary>Writes the count_tokens answer, <c>{"input_tokens": n}</c>.</summary>
    public static void WriteTokenCount(long inputTokens, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        writer.WriteStartObject();
        writer.WriteNumber("input_tokens"u8, inputTokens);
        writer.WriteEndObject();
    }
}
