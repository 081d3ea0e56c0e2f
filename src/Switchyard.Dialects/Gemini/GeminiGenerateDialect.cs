using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Gemini;

/// <summary>Gemini <c>generateContent</c> / <c>streamGenerateContent</c>, both sides. The model travels in the URL, not the body.</summary>
public sealed class GeminiGenerateDialect : ChatDialect
{
    public static GeminiGenerateDialect Instance { get; } = new();

    public override Dialect Dialect => Dialect.GeminiGenerate;

    /// <summary>Parses a client body; <see cref="ChatRequest.Model"/> is empty until the caller sets it from the path.</summary>
    public override ChatRequest ReadRequest(ReadOnlyMemory<byte> body, ParamAdjustments adjustments)
    {
        GenerateContentRequestWire? wire;
        try
        {
            wire = JsonSerializer.Deserialize(body.Span, GeminiJsonContext.Default.GenerateContentRequestWire);
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
        return GenerateContentMapping.ToCanonical(wire, adjustments);
    }

    public override void WriteResponse(ChatResponse response, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        GenerateContentResponseWriter.Write(writer, response);
    }

    public override IAsyncEnumerable<SseFrame> WriteStream(IAsyncEnumerable<StreamEvent> events, StreamWriteOptions options, CancellationToken cancellationToken) =>
        GenerateContentStreamWriter.WriteAsync(events, options, cancellationToken);

    public override void WriteError(GatewayError error, IBufferWriter<byte> output) => GeminiErrors.Write(error, output);

    public override void WriteRequest(ChatRequest request, string upstreamModel, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        GenerateContentRequestWriter.Write(writer, request, upstreamModel);
    }

    public override ChatResponse ReadResponse(ReadOnlySpan<byte> body)
    {
        try
        {
            var wire = JsonSerializer.Deserialize(body, GeminiJsonContext.Default.GenerateContentResponseWire)
                ?? throw new JsonException("null response");
            return GenerateContentMapping.ToCanonical(wire);
        }
        catch (JsonException)
        {
            throw new GatewayException(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed response.") { Code = "upstream_error" });
        }
    }

    public override IAsyncEnumerable<StreamEvent> ReadStream(IAsyncEnumerable<SseFrame> frames, CancellationToken cancellationToken) =>
        GenerateContentStreamReader.ReadAsync(frames, cancellationToken);

    public override GatewayError ReadError(int status, ReadOnlySpan<byte> body) => GeminiErrors.Read(status, body);
}
