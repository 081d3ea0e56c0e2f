using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Framing;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Bedrock;

/// <summary>
/// AWS Bedrock Converse (<c>POST /model/{modelId}/converse</c> and <c>/converse-stream</c>), an
/// upstream dialect only: every model family Bedrock serves speaks it, no client does. Its streams
/// are AWS event-stream frames, not SSE.
/// </summary>
public sealed class ConverseDialect : Dialect, IUpstreamCodec
{
    public static ConverseDialect Instance { get; } = new();

    public override string Name => "bedrock-converse";

    public StreamFraming Framing => AwsEventStreamFraming.Instance;

    public UpstreamAbilities Abilities { get; } = new() { ExtensionPrefix = "bedrock." };

    /// <summary>Model ids and inference-profile ARNs carry ':' and '/', which stay escaped in the path.</summary>
    public string Path(string upstreamModel, bool stream) =>
        $"/model/{Uri.EscapeDataString(upstreamModel)}/{(stream ? "converse-stream" : "converse")}";

    public void WriteRequest(ChatRequest request, string upstreamModel, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        ConverseRequestWriter.Write(writer, request, upstreamModel);
    }

    public ChatResponse ReadResponse(ReadOnlySpan<byte> body)
    {
        try
        {
            var wire = JsonSerializer.Deserialize(body, ConverseJsonContext.Default.ConverseResponseWire)
                ?? throw new JsonException("null response");
            return ConverseMapping.ToCanonical(wire);
        }
        catch (Exception exception) when (exception is JsonException || JsonErrors.IsValueError(exception))
        {
            throw JsonErrors.MalformedAnswer();
        }
    }

    public IAsyncEnumerable<StreamEvent> ReadStream(IAsyncEnumerable<SseFrame> frames, CancellationToken cancellationToken) =>
        ConverseStreamReader.ReadAsync(frames, cancellationToken);

    /// <summary>Without the <c>x-amzn-ErrorType</c> header only the body's own type, if any, and the status decide.</summary>
    public GatewayError ReadError(int status, ReadOnlySpan<byte> body) => BedrockErrors.Read(status, errorType: null, body);

    /// <summary>The <c>x-amzn-ErrorType</c> response header names Bedrock's error precisely.</summary>
    public GatewayError ReadError(int status, Func<string, string?> header, ReadOnlySpan<byte> body) =>
        BedrockErrors.Read(status, header("x-amzn-ErrorType"), body);
}
