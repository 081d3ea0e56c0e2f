using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Bedrock;

/// <summary>
/// AWS Bedrock Converse (<c>POST /model/{modelId}/converse</c> and <c>/converse-stream</c>), the
/// upstream side: every model family Bedrock serves speaks it. No client surface speaks
/// Converse, so the client-side members refuse; a stream is read from AWS event-stream frames
/// (<see cref="Framing.AwsEventStreamReader"/>), not SSE.
/// </summary>
public sealed class ConverseDialect : ChatDialect
{
    public static ConverseDialect Instance { get; } = new();

    public override Dialect Dialect => Dialect.BedrockConverse;

    public override ChatRequest ReadRequest(ReadOnlyMemory<byte> body, ParamAdjustments adjustments) =>
        throw new NotSupportedException("No client surface speaks Bedrock Converse.");

    public override void WriteResponse(ChatResponse response, IBufferWriter<byte> output) =>
        throw new NotSupportedException("No client surface speaks Bedrock Converse.");

    public override IAsyncEnumerable<SseFrame> WriteStream(IAsyncEnumerable<StreamEvent> events, StreamWriteOptions options, CancellationToken cancellationToken) =>
        throw new NotSupportedException("No client surface speaks Bedrock Converse.");

    public override void WriteError(GatewayError error, IBufferWriter<byte> output) => BedrockErrors.Write(error, output);

    public override void WriteRequest(ChatRequest request, string upstreamModel, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        ConverseRequestWriter.Write(writer, request, upstreamModel);
    }

    public override ChatResponse ReadResponse(ReadOnlySpan<byte> body)
    {
        try
        {
            var wire = JsonSerializer.Deserialize(body, ConverseJsonContext.Default.ConverseResponseWire)
                ?? throw new JsonException("null response");
            return ConverseMapping.ToCanonical(wire);
        }
        catch (JsonException)
        {
            throw new GatewayException(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed response.") { Code = "upstream_error" });
        }
    }

    public override IAsyncEnumerable<StreamEvent> ReadStream(IAsyncEnumerable<SseFrame> frames, CancellationToken cancellationToken) =>
        ConverseStreamReader.ReadAsync(frames, cancellationToken);

    /// <summary>Without the <c>x-amzn-ErrorType</c> header only the body's own type, if any, and the status decide.</summary>
    public override GatewayError ReadError(int status, ReadOnlySpan<byte> body) => BedrockErrors.Read(status, errorType: null, body);

    /// <summary>The error with the <c>x-amzn-ErrorType</c> response header, which names Bedrock's error precisely.</summary>
    public static GatewayError ReadError(int status, string? errorType, ReadOnlySpan<byte> body) => BedrockErrors.Read(status, errorType, body);
}
