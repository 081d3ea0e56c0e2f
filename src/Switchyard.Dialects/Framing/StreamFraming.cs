using System.Buffers;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Framing;

/// <summary>
/// How an upstream's stream is cut into events. The translated path reads events for a codec
/// (<see cref="ReadAsync"/>); the passthrough path cuts the raw bytes into frames that a tap relays
/// as SSE (<see cref="Split"/>), so an upstream that does not speak SSE (AWS event-stream) fits
/// under both without touching the relay loop.
/// </summary>
public abstract class StreamFraming
{
    /// <summary>Server-sent events, what every native API streams.</summary>
    public static StreamFraming Sse { get; } = new SseFraming();

    /// <summary>
    /// Decodes a stream body into events for a codec. An event's data may be lent from the
    /// framing's buffer: it is valid until the next event is asked for.
    /// </summary>
    public abstract IAsyncEnumerable<SseFrame> ReadAsync(Stream body, CancellationToken cancellationToken);

    /// <summary>
    /// Hands each complete frame in <paramref name="buffer"/> to <paramref name="handler"/> as SSE
    /// bytes and returns how many bytes it consumed; an incomplete tail is left for the next read.
    /// <paramref name="searched"/>: the bytes at the buffer's start that the last call left as an
    /// incomplete tail, already searched (a framing that has to search for a frame's end resumes there).
    /// </summary>
    public abstract int Split(ReadOnlySpan<byte> buffer, ISseFrameHandler handler, IBufferWriter<byte> output, int searched = 0);

    /// <summary>The body ended with bytes that make no whole frame; by default they are dropped.</summary>
    public virtual void Tail(ReadOnlySpan<byte> rest, ISseFrameHandler handler, IBufferWriter<byte> output)
    {
    }

    private sealed class SseFraming : StreamFraming
    {
        /// <summary>
        /// A last frame without its blank line: the spec says to drop it; its bytes go to the
        /// handler as a frame anyway so a tap can still read the usage it may carry.
        /// </summary>
        public override void Tail(ReadOnlySpan<byte> rest, ISseFrameHandler handler, IBufferWriter<byte> output) =>
            handler.OnFrame(rest, output);

        public override IAsyncEnumerable<SseFrame> ReadAsync(Stream body, CancellationToken cancellationToken) =>
            SseStreams.ReadLentAsync(body, cancellationToken);

        public override int Split(ReadOnlySpan<byte> buffer, ISseFrameHandler handler, IBufferWriter<byte> output, int searched = 0)
        {
            var consumed = 0;
            while (true)
            {
                var end = SseFrameScanner.FindFrameEnd(buffer[consumed..], searched);
                if (end <= 0)
                {
                    return consumed;
                }

                handler.OnFrame(buffer.Slice(consumed, end), output);
                consumed += end;
                searched = 0;
            }
        }
    }
}
