using System.Buffers;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Framing;

/// <summary>
/// The AWS event-stream binary framing (Bedrock's streams) as the gateway's stream layer sees it:
/// each message an event named by its <c>:event-type</c> (or its exception type), its payload the data.
/// A passthrough relay gets each message re-framed as SSE.
/// </summary>
public sealed class AwsEventStreamFraming : StreamFraming
{
    public static AwsEventStreamFraming Instance { get; } = new();

    public override IAsyncEnumerable<SseFrame> ReadAsync(Stream body, CancellationToken cancellationToken) =>
        AwsEventStreamReader.ReadAsync(body, cancellationToken);

    // Each message says its length up front: nothing is searched, so searched is not needed.
    public override int Split(ReadOnlySpan<byte> buffer, ISseFrameHandler handler, IBufferWriter<byte> output, int searched = 0)
    {
        var consumed = 0;
        using var sse = new PooledBufferWriter(1024);
        while (AwsEventStreamReader.TryDecode(buffer[consumed..], AwsEventStreamFormat.DefaultMaxMessageLength, out var frame, out var length))
        {
            sse.Clear();
            SseStreams.Write(sse, frame);
            handler.OnFrame(sse.WrittenSpan, output);
            consumed += length;
        }

        return consumed;
    }

    /// <summary>A body that ends inside a message was cut short.</summary>
    public override void Tail(ReadOnlySpan<byte> rest, ISseFrameHandler handler, IBufferWriter<byte> output) =>
        throw new AwsEventStreamException("The event stream ended inside a message.");
}
