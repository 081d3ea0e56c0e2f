using System.Text;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Sse;

/// <summary>
/// Parses the events of one SSE body as the spec's event stream interpretation does
/// (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
/// <c>data</c> lines joined by LF, the last <c>event</c> line's type, comments and other fields
/// ignored, an event without data lines not dispatched. The body's few event type names are
/// kept, not decoded again for every event.
/// </summary>
internal sealed class SseEventParser : IDisposable
{
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    private readonly string?[] _names = new string?[8];
    private int _nextName;
    private bool _pastStart;
    private PooledBufferWriter? _joined;

    /// <summary>
    /// Takes the first whole event off <paramref name="pending"/>: returns the bytes it spans (0
    /// when <paramref name="pending"/> holds no whole event yet) and the event, or null when it
    /// carried no data. <paramref name="searched"/>: how much of <paramref name="pending"/> an
    /// earlier call already searched in vain (see <see cref="SseFrameScanner.FindFrameEnd"/>).
    /// With <paramref name="lend"/>, an event of one data line (what upstreams send) has its data
    /// in <paramref name="pending"/> itself, not copied; an event of several is copied either way.
    /// </summary>
    public int Next(ReadOnlyMemory<byte> pending, int searched, bool lend, out SseFrame? frame)
    {
        frame = null;
        var length = SseFrameScanner.FindFrameEnd(pending.Span, searched);
        if (length <= 0)
        {
            return 0;
        }

        var rest = pending.Span[..length];
        ReadOnlySpan<byte> eventType = default;
        ReadOnlySpan<byte> onlyData = default;
        var dataLines = 0;
        while (!rest.IsEmpty)
        {
            // Every line of a whole event ends in CR, LF or CRLF.
            var end = rest.IndexOfAny((byte)'\r', (byte)'\n');
            var line = rest[..end];
            rest = rest[(rest[end] == '\r' && end + 1 < rest.Length && rest[end + 1] == '\n' ? end + 2 : end + 1)..];
            if (line.IsEmpty)
            {
                if (dataLines > 0)
                {
                    break;
                }

                // A blank line before any data (one a body starts with): nothing to dispatch.
                eventType = default;
                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            var colon = line.IndexOf((byte)':');
            var name = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? [] : line[(colon + 1)..];
            if (!value.IsEmpty && value[0] == ' ')
            {
                value = value[1..];
            }

            if (name.SequenceEqual("data"u8))
            {
                if (dataLines == 1)
                {
                    _joined ??= new PooledBufferWriter(256);
                    _joined.Clear();
                    _joined.Write(onlyData);
                }

                if (dataLines >= 1)
                {
                    _joined!.Write("\n"u8);
                    _joined.Write(value);
                }

                onlyData = value;
                dataLines++;
            }
            else if (name.SequenceEqual("event"u8))
            {
                eventType = value;
            }
        }

        if (dataLines > 0)
        {
            // An empty value may be no slice of the pending bytes at all (a bare "data" line).
            ReadOnlyMemory<byte> data = dataLines > 1 ? _joined!.WrittenSpan.ToArray()
                : onlyData.IsEmpty ? ReadOnlyMemory<byte>.Empty
                : lend && pending.Span.Overlaps(onlyData, out var offset) ? pending.Slice(offset, onlyData.Length)
                : onlyData.ToArray();
            if (dataLines > 1)
            {
                // Given back at once: a stream that sent one large multi-line event would
                // otherwise hold its buffer while it waits for the next (readers hold none then).
                _joined!.Release();
            }

            frame = new SseFrame(eventType.IsEmpty || eventType.SequenceEqual("message"u8) ? null : Name(eventType), data);
        }

        return length;
    }

    /// <summary>The bytes to skip at the start of a body: a UTF-8 byte order mark there, once.</summary>
    public int SkipByteOrderMark(ReadOnlySpan<byte> filled)
    {
        if (_pastStart)
        {
            return 0;
        }

        if (filled.Length < ByteOrderMark.Length && ByteOrderMark.StartsWith(filled))
        {
            // Too short to tell yet.
            return 0;
        }

        _pastStart = true;
        return filled.StartsWith(ByteOrderMark) ? ByteOrderMark.Length : 0;
    }

    public void Dispose() => _joined?.Dispose();

    private string Name(ReadOnlySpan<byte> bytes)
    {
        foreach (var known in _names)
        {
            if (known is not null && Ascii.Equals(bytes, known))
            {
                return known;
            }
        }

        var name = Encoding.UTF8.GetString(bytes);
        if (Ascii.IsValid(bytes))
        {
            _names[_nextName] = name;
            _nextName = (_nextName + 1) % _names.Length;
        }

        return name;
    }
}
