using System.Buffers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;

namespace Switchyard.Dialects.Sse;

/// <summary>Reads and writes SSE frames: reading with the BCL's <see cref="SseParser"/>, writing in the spec's line format.</summary>
public static class SseStreams
{
    public static async IAsyncEnumerable<SseFrame> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var parser = SseParser.Create(new SseEventLimitStream(stream, SseRelay.MaxFrameBytes), static (eventType, data) => data.ToArray());
        await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            // SseParser reports "message" for frames without an event line; keep null so writers can tell.
            var eventType = item.EventType == SseParser.EventTypeDefault ? null : item.EventType;
            yield return new SseFrame(eventType, item.Data);
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

    private static void WriteAscii(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        var span = output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        output.Advance(bytes.Length);
    }
}
