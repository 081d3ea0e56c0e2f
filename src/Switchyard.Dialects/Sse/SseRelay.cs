using System.Buffers;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Sse;

/// <summary>
/// The frame-aware copy loop of the passthrough path: reads the upstream body into a pooled
/// buffer, hands each complete frame to a handler, and writes what it produced after every read,
/// so frames reach the client as soon as they arrive.
/// </summary>
public static class SseRelay
{
    /// <summary>
    /// The read buffer's first size, and the output's; both grow for a larger frame. Neither is
    /// held while the relay waits for the upstream with no partial frame: every open stream would
    /// hold both (at 64 KiB each, 10,000 streams held 1.3 GB; at 8 KiB, a third of their memory).
    /// </summary>
    public const int BufferSize = 8 * 1024;

    /// <summary>
    /// The largest frame relayed. An upstream that never ends its frame would otherwise grow the
    /// buffer until the process runs out of memory; at this size the stream fails instead
    /// (<see cref="SseFrameTooLargeException"/>). Far above any real event: a Responses
    /// <c>response.completed</c> carrying generated images is a few MB.
    /// </summary>
    public const int MaxFrameBytes = 32 * 1024 * 1024;

    /// <summary>Relays an SSE <c>source</c> through <c>handler</c>; <c>write</c> sends and flushes a batch of output bytes to the client.</summary>
    public static Task RunAsync(
        Stream source,
        ISseFrameHandler handler,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write,
        CancellationToken cancellationToken) =>
        RunAsync(source, Framing.StreamFraming.Sse, handler, write, cancellationToken);

    /// <summary>Relays <c>source</c>, cut into frames by <c>framing</c>, through <c>handler</c>.</summary>
    public static async Task RunAsync(
        Stream source,
        Framing.StreamFraming framing,
        ISseFrameHandler handler,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write,
        CancellationToken cancellationToken)
    {
        byte[] buffer = [];
        using var output = PooledBufferWriter.RentOnFirstWrite(BufferSize);
        var filled = 0;

        // The incomplete tail the last split left, already searched for a frame's end.
        var searched = 0;
        try
        {
            while (true)
            {
                if (filled == 0)
                {
                    // Nothing held: wait for the upstream's next bytes without a buffer (a zero-byte
                    // read; a stream that does not wait for one only makes the next read wait).
                    Return(ref buffer);
                    await source.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                    buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                }
                else if (filled == buffer.Length)
                {
                    // A frame larger than the buffer: grow rather than split it, up to the limit.
                    if (buffer.Length >= MaxFrameBytes)
                    {
                        throw new SseFrameTooLargeException(MaxFrameBytes);
                    }

                    var grown = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxFrameBytes));
                    buffer.AsSpan(0, filled).CopyTo(grown);
                    Return(ref buffer);
                    buffer = grown;
                }

                var read = await source.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                filled += read;
                var consumed = framing.Split(buffer.AsSpan(0, filled), handler, output, searched);
                if (consumed > 0)
                {
                    buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                    filled -= consumed;
                }

                searched = filled;

                if (output.WrittenCount > 0)
                {
                    await write(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
                    output.Release();
                }
            }

            if (filled > 0)
            {
                framing.Tail(buffer.AsSpan(0, filled), handler, output);
            }

            handler.OnEnd(output);
            if (output.WrittenCount > 0)
            {
                await write(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Return(ref buffer);
        }
    }

    private static void Return(ref byte[] buffer)
    {
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
        }
    }
}

/// <summary>The upstream sent a frame larger than <see cref="SseRelay.MaxFrameBytes"/>: the stream ends with an error, not with the process's memory.</summary>
public sealed class SseFrameTooLargeException(int limit)
    : IOException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The upstream sent a stream frame larger than the gateway's limit of {limit} bytes."));
