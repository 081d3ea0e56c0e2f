using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Sse;

/// <summary>
/// Finds frame boundaries in a raw SSE byte stream for passthrough, without decoding frames.
/// A frame ends at a blank line; the spec allows CRLF, LF or CR line endings
/// (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream).
/// </summary>
public static class SseFrameScanner
{
    /// <summary>
    /// Returns the length of the first complete frame in <paramref name="buffer"/> including its
    /// terminating blank line, or -1 when the buffer does not yet hold a whole frame.
    /// <paramref name="searched"/> is how much of the buffer an earlier call already searched and
    /// found no frame end in (that call's buffer length, when more bytes have arrived since): the
    /// search resumes two bytes before it, where a line break it could not yet decide may stand
    /// (a CR that may be the first half of a CRLF, a break at the very end). Without it an event
    /// arriving in many small reads would be searched again from its start on every read.
    /// </summary>
    public static int FindFrameEnd(ReadOnlySpan<byte> buffer, int searched = 0)
    {
        var position = Math.Max(0, searched - 2);
        while (position < buffer.Length)
        {
            var index = buffer[position..].IndexOfAny((byte)'\r', (byte)'\n');
            if (index < 0)
            {
                return -1;
            }

            var lineEnd = position + index;
            var afterBreak = LineBreakEnd(buffer, lineEnd);
            if (afterBreak < 0)
            {
                return -1;
            }

            // A blank line: the break we just passed is immediately followed by another break.
            if (afterBreak < buffer.Length && (buffer[afterBreak] == '\r' || buffer[afterBreak] == '\n'))
            {
                var frameEnd = LineBreakEnd(buffer, afterBreak);
                return frameEnd;
            }

            if (afterBreak == buffer.Length)
            {
                return -1;
            }

            position = afterBreak;
        }

        return -1;
    }

    /// <summary>
    /// The <c>data</c> of a frame, as <see cref="ReadData"/> reads it: a slice of the frame itself
    /// when it is one <c>data:</c> line and its blank line (what every upstream sends), otherwise
    /// joined in <paramref name="scratch"/>, which is cleared first. Returns the number of data lines.
    /// </summary>
    public static int Data(ReadOnlySpan<byte> frame, PooledBufferWriter scratch, out ReadOnlySpan<byte> data)
    {
        var lineEnd = frame.IndexOfAny((byte)'\r', (byte)'\n');
        if (lineEnd > 0 && frame.StartsWith("data:"u8) && !frame[lineEnd..].ContainsAnyExcept((byte)'\r', (byte)'\n'))
        {
            data = frame[5..lineEnd];
            if (!data.IsEmpty && data[0] == ' ')
            {
                data = data[1..];
            }

            return 1;
        }

        scratch.Clear();
        var lines = ReadData(frame, scratch);
        data = scratch.WrittenSpan;
        return lines;
    }

    /// <summary>
    /// Reads the <c>data</c> of a frame: the values of its data lines joined by LF, written to
    /// <paramref name="output"/>. Returns the number of data lines (0 for a comment-only frame).
    /// </summary>
    public static int ReadData(ReadOnlySpan<byte> frame, System.Buffers.IBufferWriter<byte> output)
    {
        var lines = 0;
        while (!frame.IsEmpty)
        {
            var index = frame.IndexOfAny((byte)'\r', (byte)'\n');
            var line = index < 0 ? frame : frame[..index];
            if (line.StartsWith("data"u8) && (line.Length == 4 || line[4] == ':'))
            {
                var value = line.Length == 4 ? [] : line[5..];
                if (!value.IsEmpty && value[0] == ' ')
                {
                    value = value[1..];
                }

                if (lines > 0)
                {
                    output.GetSpan(1)[0] = (byte)'\n';
                    output.Advance(1);
                }

                value.CopyTo(output.GetSpan(value.Length));
                output.Advance(value.Length);
                lines++;
            }

            if (index < 0)
            {
                break;
            }

            var skip = frame[index] == '\r' && index + 1 < frame.Length && frame[index + 1] == '\n' ? 2 : 1;
            frame = frame[(index + skip)..];
        }

        return lines;
    }

    /// <summary>Position after the line break starting at <paramref name="index"/>, or -1 when a CR might still be followed by LF.</summary>
    private static int LineBreakEnd(ReadOnlySpan<byte> buffer, int index)
    {
        if (buffer[index] == '\n')
        {
            return index + 1;
        }

        // CR: a following LF belongs to the same break; at the end of the buffer we cannot tell yet.
        if (index + 1 == buffer.Length)
        {
            return -1;
        }

        return buffer[index + 1] == '\n' ? index + 2 : index + 1;
    }
}
