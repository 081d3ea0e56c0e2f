using System.Buffers;
using System.Runtime.CompilerServices;

namespace Switchyard.Dialects.Sse;

/// <summary>Reads and writes SSE frames in the spec's line format.</summary>
public static class SseStreams
{
    /// <summary>
    /// The events of an SSE body, each with its <c>event</c> type (null for the default, "message")
    /// and its data lines joined by LF, up to <see cref="SseRelay.MaxFrameBytes"/> an event.
    /// </summary>
    public static IAsyncEnumerable<SseFrame> ReadAsync(Stream stream, CancellationToken cancellationToken = default) =>
        ReadAsync(stream, SseRelay.MaxFrameBytes, lend: false, cancellationToken);

    /// <summary>
    /// As <see cref="ReadAsync(Stream, CancellationToken)"/>, but an event's data is lent from the
    /// read buffer: valid until the next event is asked for. For a reader that decodes each event
    /// at once (the codecs): copying each out was the largest allocation of a translated stream.
    /// </summary>
    public static IAsyncEnumerable<SseFrame> ReadLentAsync(Stream stream, CancellationToken cancellationToken = default) =>
        ReadAsync(stream, SseRelay.MaxFrameBytes, lend: true, cancellationToken);

    /// <summary>
    /// One loop over a pooled buffer, as the passthrough relay reads (<see cref="SseRelay"/>):
    /// whole events are cut out of what has arrived and parsed in place. The BCL's
    /// <see cref="System.Net.ServerSentEvents.SseParser"/>, behind a stream that bounded its events,
    /// put three more asynchronous steps between every upstream read and the event it carried.
    /// No buffer is held while the upstream is quiet between events.
    /// </summary>
    internal static async IAsyncEnumerable<SseFrame> ReadAsync(Stream stream, int maxFrameBytes, bool lend, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var events = new SseEventParser();
        byte[] buffer = [];
        var start = 0;
        var filled = 0;
        var ended = false;

        // The incomplete event at the buffer's start, already searched for its end.
        var searched = 0;
        try
        {
            while (true)
            {
                while (events.Next(buffer.AsMemory(start, filled - start), searched, lend, out var frame) is var consumed and > 0)
                {
                    start += consumed;
                    searched = 0;
                    if (frame is { } dispatched)
                    {
                        yield return dispatched;
                    }
                }

                if (ended)
                {
                    // An event the body ended before its blank line is dropped, as the spec says.
                    yield break;
                }

                if (filled - start > maxFrameBytes)
                {
                    throw new SseFrameTooLargeException(maxFrameBytes);
                }

                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
                start = 0;
                searched = filled;
                if (filled == 0)
                {
                    // Nothing held: wait for the upstream's next bytes without a buffer.
                    Return(ref buffer);
                    await stream.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                    buffer = ArrayPool<byte>.Shared.Rent(SseRelay.BufferSize);
                }
                else if (filled == buffer.Length)
                {
                    // An event larger than the buffer: grow rather than split it, up to the limit.
                    if (buffer.Length >= maxFrameBytes)
                    {
                        throw new SseFrameTooLargeException(maxFrameBytes);
                    }

                    Grow(ref buffer, filled, Math.Min(buffer.Length * 2, maxFrameBytes));
                }

                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    // A CR that ends the body ends its line: the LF that may follow a CR never will.
                    ended = true;
                    if (filled > 0 && buffer[filled - 1] == '\r')
                    {
                        if (filled == buffer.Length)
                        {
                            Grow(ref buffer, filled, filled + 1);
                        }

                        buffer[filled++] = (byte)'\n';
                    }

                    continue;
                }

                filled += read;
                start = events.SkipByteOrderMark(buffer.AsSpan(0, filled));
            }
        }
        finally
        {
            Return(ref buffer);
        }
    }

    private static void Grow(ref byte[] buffer, int filled, int size)
    {
        var grown = ArrayPool<byte>.Shared.Rent(size);
        buffer.AsSpan(0, filled).CopyTo(grown);
        Return(ref buffer);
        buffer = grown;
    }

    private static void Return(ref byte[] buffer)
    {
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
        }
    }

    /// <summary>Writes one frame. Data containing line breaks is split into several <c>data:</c> lines, as the spec requires.</summary>
    public static void Write(IBufferWriter<byte> output, SseFrame frame)
    {
        if (frame.EventType is { } eventType)
        {
            WriteAscii(output, "event: "u8);
            var length = System.Text.Encoding.UTF8.GetByteCount(eventType);
            var span = output.GetSpan(length);
            System.Text.Encoding.UTF8.GetBytes(eventType, span);
            output.Advance(length);
            WriteAscii(output, "\n"u8);
        }

        var data = frame.Data.Span;
        while (true)
        {
            var lineBreak = data.IndexOfAny((byte)'\r', (byte)'\n');
            WriteAscii(output, "data: "u8);
            if (lineBreak < 0)
            {
                WriteAscii(output, data);
                WriteAscii(output, "\n\n"u8);
                return;
            }

            WriteAscii(output, data[..lineBreak]);
            WriteAscii(output, "\n"u8);
            var skip = data[lineBreak] == '\r' && lineBreak + 1 < data.Length && data[lineBreak + 1] == '\n' ? 2 : 1;
            data = data[(lineBreak + skip)..];
        }
    }

    /// <summary>
    /// Writes an event whose data a tap read with <see cref="SseFrameScanner.Data"/> and may have
    /// edited: the <c>event:</c> line when <paramref name="eventType"/> is not empty, then the data,
    /// each LF in it starting a new <c>data:</c> line (a chunk the upstream sent over several data
    /// lines leaves on as many), every line ended by <paramref name="newline"/>.
    /// </summary>
    public static void WriteEvent(IBufferWriter<byte> output, ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data, ReadOnlySpan<byte> newline)
    {
        if (!eventType.IsEmpty)
        {
            WriteAscii(output, "event: "u8);
            WriteAscii(output, eventType);
            WriteAscii(output, newline);
        }

        WriteAscii(output, "data: "u8);
        WriteDataPart(output, data, newline);
        WriteAscii(output, newline);
        WriteAscii(output, newline);
    }

    /// <summary>Part of a <c>data:</c> line's value as <see cref="WriteEvent"/> writes it, for a caller that writes the data in pieces.</summary>
    public static void WriteDataPart(IBufferWriter<byte> output, ReadOnlySpan<byte> data, ReadOnlySpan<byte> newline)
    {
        int lineEnd;
        while ((lineEnd = data.IndexOf((byte)'\n')) >= 0)
        {
            WriteAscii(output, data[..lineEnd]);
            WriteAscii(output, newline);
            WriteAscii(output, "data: "u8);
            data = data[(lineEnd + 1)..];
        }

        WriteAscii(output, data);
    }

    private static void WriteAscii(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        var span = output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        output.Advance(bytes.Length);
    }
}
