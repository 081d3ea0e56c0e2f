using System.Runtime.CompilerServices;

namespace Switchyard.Dialects.Sse;

/// <summary>
/// A read-only view of an SSE body that fails once an event runs past a limit without its
/// blank line. The BCL's <see cref="System.Net.ServerSentEvents.SseParser"/> has no limit of its
/// own: an upstream that never ends its event (or its line) would grow the parser's buffers until
/// the process ran out of memory. Lines end at CRLF, LF or CR, as the spec says.
/// </summary>
internal sealed class SseEventLimitStream(Stream inner, int limit) : Framing.ReadOnlyViewStream(inner, ownsInner: true)
{
    private long _sinceBlankLine;
    private bool _atLineStart = true;
    private bool _afterCarriageReturn;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = Inner.ReadAsync(buffer, cancellationToken);
        if (read.IsCompletedSuccessfully)
        {
            var count = read.Result;
            Count(buffer.Span[..count]);
            return ValueTask.FromResult(count);
        }

        return CountWhenReadAsync(read, buffer);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> CountWhenReadAsync(ValueTask<int> read, Memory<byte> buffer)
    {
        var count = await read.ConfigureAwait(false);
        Count(buffer.Span[..count]);
        return count;
    }

    /// <summary>Follows line ends across reads; a line end at the start of a line is the blank line that ends an event.</summary>
    internal void Count(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var end = bytes.IndexOfAny((byte)'\r', (byte)'\n');
            if (end != 0)
            {
                var run = end < 0 ? bytes.Length : end;
                _sinceBlankLine += run;
                _atLineStart = false;
                _afterCarriageReturn = false;
                bytes = bytes[run..];
            }
            else
            {
                Terminator(bytes[0]);
                bytes = bytes[1..];
            }

            if (_sinceBlankLine > limit)
            {
                throw new SseFrameTooLargeException(limit);
            }
        }
    }

    /// <summary>One CR or LF: the LF of a CRLF is part of its line's end; any other at a line's start is a blank line.</summary>
    private void Terminator(byte end)
    {
        var lineFeedOfCrLf = end == (byte)'\n' && _afterCarriageReturn;
        _afterCarriageReturn = end == (byte)'\r';
        if (lineFeedOfCrLf)
        {
            _sinceBlankLine++;
        }
        else if (_atLineStart)
        {
            _sinceBlankLine = 0;
        }
        else
        {
            _sinceBlankLine++;
            _atLineStart = true;
        }
    }
}
