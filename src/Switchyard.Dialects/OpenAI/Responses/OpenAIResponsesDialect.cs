using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.OpenAI.Responses;

/// <summary>OpenAI Responses (<c>POST /v1/responses</c>), both sides.</summary>
public sealed class OpenAIResponsesDialect : ChatDialect
{
    public static OpenAIResponsesDialect Instance { get; } = new();

    public override Dialect Dialect => Dialect.OpenAIResponses;

    public override ChatRequest ReadRequest(ReadOnlyMemory<byte> body, ParamAdjustments adjustments)
    {
        ResponsesRequestWire? wire;
        try
        {
            wire = JsonSerializer.Deserialize(body.Span, ResponsesJsonContext.Default.ResponsesRequestWire);
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
        var request = ResponsesMapping.ToCanonical(wire, adjustments);
        request.Echo = ResponseObjectWriter.Echo(body.Span);
        return request;
    }

    /// <summary>The settings of a Responses request body that its response object repeats (see <see cref="ChatRequest.Echo"/>).</summary>
    public static JsonElement? EchoOf(ReadOnlySpan<byte> body) => ResponseObjectWriter.Echo(body);

    /// <summary>Writes the response object; <see cref="ChatResponse.Id"/> is used as the response id.</summary>
    public override void WriteResponse(ChatResponse response, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        var (status, reason) = ResponseObjectWriter.Status(response.FinishReason);
        ResponseObjectWriter.Write(writer, response.Id, response.Model, response.Created.ToUnixTimeSeconds(), status,
            ResponseObjectWriter.Items(response), response.Usage, response.Metadata, reason, echo: response.Echo);
    }

    public override IAsyncEnumerable<SseFrame> WriteStream(IAsyncEnumerable<StreamEvent> events, StreamWriteOptions options, CancellationToken cancellationToken) =>
        ResponsesStreamWriter.WriteAsync(events, options, cancellationToken);

    public override void WriteError(GatewayError error, IBufferWriter<byte> output) => OpenAIErrors.Write(error, output);

    public override void WriteRequest(ChatRequest request, string upstreamModel, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        ResponsesRequestWriter.Write(writer, request, upstreamModel);
    }

    public override ChatResponse ReadResponse(ReadOnlySpan<byte> body)
    {
        try
        {
            var wire = JsonSerializer.Deserialize(body, ResponsesJsonContext.Default.ResponseObjectWire)
                ?? throw new JsonException("null response");
            return ResponsesMapping.ToCanonical(wire);
        }
        catch (JsonException)
        {
            throw new GatewayException(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed response.") { Code = "upstream_error" });
        }
    }

    public override IAsyncEnumerable<StreamEvent> ReadStream(IAsyncEnumerable<SseFrame> frames, CancellationToken cancellationToken) =>
        ResponsesStreamReader.ReadAsync(frames, cancellationToken);

    public override GatewayError ReadError(int status, ReadOnlySpan<byte> body) => OpenAIErrors.Read(status, body);

    /// <summary>Parses only the input items of a request or a stored conversation (for previous_response_id).</summary>
    public static List<ChatMessage> ReadItems(ReadOnlySpan<byte> itemsJson)
    {
        var items = JsonSerializer.Deserialize(itemsJson, ResponsesJsonContext.Default.ListItemWire) ?? [];
        return ResponsesMapping.ItemsToCanonical(items);
    }
}
