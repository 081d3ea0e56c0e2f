using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Framing;

/// <summary>
/// Reads AWS event-stream messages into the frames stream codecs read, so a dialect whose upstream
/// does not speak SSE reuses the same stream stages. An <c>event</c> becomes a frame named by its
/// <c>:event-type</c> with the payload as data; an <c>exception</c> (<c>throttlingException</c>, …)
/// a frame named by its <c>:exception-type</c> with its <c>{"message":…}</c> payload; an
/// <c>error</c> a frame named by its <c>:error-code</c> whose data is <c>{"message":…}</c> from
/// <c>:error-message</c>. Both checksums are verified; a broken message throws
/// <see cref="AwsEventStreamException"/>.
/// </summary>
public static class AwsEventStreamReader
{
    private const int InitialBufferLength = 16 * 1024;

    public static IAsyncEnumerable<SseFrame> ReadAsync(Stream stream, CancellationToken cancellationToken = default) =>
        ReadAsync(stream, AwsEventStreamFormat.DefaultMaxMessageLength, cancellationToken);

    /// <param name="stream">The upstream body.</param>
    /// <param name="maxMessageLength">Messages claiming more bytes than this are refused before anything is allocated for them.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    public static async IAsyncEnumerable<SseFrame> ReadAsync(Stream stream, int maxMessageLength, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageLength, AwsEventStreamFormat.MinimumMessageLength);
        var buffer = new Window(Math.Min(InitialBufferLength, maxMessageLength));
        try
        {
            while (true)
            {
                if (!await buffer.FillAsync(stream, AwsEventStreamFormat.PreludeLength, cancellationToken).ConfigureAwait(false))
                {
                    if (buffer.Length == 0)
                    {
                        yield break;
                    }

                    throw new AwsEventStreamException("The event stream ended inside a message prelude.");
                }

                var total = ReadPrelude(buffer.Span, maxMessageLength);
                if (!await buffer.FillAsync(stream, total, cancellationToken).ConfigureAwait(false))
                {
                    throw new AwsEventStreamException("The event stream ended inside a message.");
                }

                var frame = Decode(buffer.Span[..total]);
                buffer.Consume(total);
                yield return frame;
            }
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>
    /// Decodes the first whole message of <paramref name="buffer"/>; false (nothing consumed) when
    /// the buffer does not hold one yet. For a relay that already holds the bytes.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> buffer, int maxMessageLength, out SseFrame frame, out int consumed)
    {
        frame = default;
        consumed = 0;
        if (buffer.Length < AwsEventStreamFormat.PreludeLength)
        {
            return false;
        }

        var total = ReadPrelude(buffer, maxMessageLength);
        if (buffer.Length < total)
        {
            return false;
        }

        frame = Decode(buffer[..total]);
        consumed = total;
        return true;
    }

    /// <summary>Checks the prelude and returns the message's total length.</summary>
    private static int ReadPrelude(ReadOnlySpan<byte> bytes, int maxMessageLength)
    {
        var total = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        var headersLength = BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]);
        if (BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]) != Crc32.HashToUInt32(bytes[..8]))
        {
            throw new AwsEventStreamException("An event-stream message prelude failed its checksum.");
        }

        // Checked after the CRC so a length is trusted only once its prelude is known intact.
        if (total < AwsEventStreamFormat.MinimumMessageLength || total > (uint)maxMessageLength)
        {
            throw new AwsEventStreamException(string.Create(CultureInfo.InvariantCulture, $"An event-stream message claims {total} bytes, outside {AwsEventStreamFormat.MinimumMessageLength}..{maxMessageLength}."));
        }

        if (headersLength > total - AwsEventStreamFormat.MinimumMessageLength)
        {
            throw new AwsEventStreamException("An event-stream message claims more header bytes than it has.");
        }

        return (int)total;
    }

    private static SseFrame Decode(ReadOnlySpan<byte> message)
    {
        var crcOffset = message.Length - 4;
        if (BinaryPrimitives.ReadUInt32BigEndian(message[crcOffset..]) != Crc32.HashToUInt32(message[..crcOffset]))
        {
            throw new AwsEventStreamException("An event-stream message failed its checksum.");
        }

        var headersLength = (int)BinaryPrimitives.ReadUInt32BigEndian(message[4..]);
        var headers = message.Slice(AwsEventStreamFormat.PreludeLength, headersLength);
        var payload = message[(AwsEventStreamFormat.PreludeLength + headersLength)..crcOffset];

        string? messageType = null;
        string? eventType = null;
        string? exceptionType = null;
        string? errorCode = null;
        string? errorMessage = null;
        while (!headers.IsEmpty)
        {
            var nameLength = headers[0];
            if (nameLength == 0 || headers.Length < 1 + nameLength + 1)
            {
                throw Malformed();
            }

            var name = headers.Slice(1, nameLength);
            var type = (AwsEventStreamFormat.HeaderType)headers[1 + nameLength];
            headers = headers[(2 + nameLength)..];
            var valueLength = type switch
            {
                AwsEventStreamFormat.HeaderType.BoolTrue or AwsEventStreamFormat.HeaderType.BoolFalse => 0,
                AwsEventStreamFormat.HeaderType.Byte => 1,
                AwsEventStreamFormat.HeaderType.Short => 2,
                AwsEventStreamFormat.HeaderType.Integer => 4,
                AwsEventStreamFormat.HeaderType.Long or AwsEventStreamFormat.HeaderType.Timestamp => 8,
                AwsEventStreamFormat.HeaderType.Uuid => 16,
                AwsEventStreamFormat.HeaderType.ByteArray or AwsEventStreamFormat.HeaderType.String when headers.Length >= 2 => 2 + BinaryPrimitives.ReadUInt16BigEndian(headers),
                _ => throw Malformed(),
            };
            if (headers.Length < valueLength)
            {
                throw Malformed();
            }

            if (type == AwsEventStreamFormat.HeaderType.String)
            {
                var value = headers[2..valueLength];
                if (name.SequenceEqual(":message-type"u8))
                {
                    messageType = Encoding.UTF8.GetString(value);
                }
                else if (name.SequenceEqual(":event-type"u8))
                {
                    eventType = Encoding.UTF8.GetString(value);
                }
                else if (name.SequenceEqual(":exception-type"u8))
                {
                    exceptionType = Encoding.UTF8.GetString(value);
                }
                else if (name.SequenceEqual(":error-code"u8))
                {
                    errorCode = Encoding.UTF8.GetString(value);
                }
                else if (name.SequenceEqual(":error-message"u8))
                {
                    errorMessage = Encoding.UTF8.GetString(value);
                }
            }

            headers = headers[valueLength..];
        }

        return messageType switch
        {
            "exception" => new SseFrame(exceptionType ?? "exception", payload.ToArray()),
            "error" => new SseFrame(errorCode ?? "error", ErrorPayload(errorMessage)),
            _ => new SseFrame(eventType, payload.ToArray()),
        };
    }

    private static byte[] ErrorPayload(string? message)
    {
        using var output = new PooledBufferWriter(256);
        using (var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("message"u8, message ?? string.Empty);
            writer.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    private static AwsEventStreamException Malformed() => new("An event-stream message has malformed headers.");

    /// <summary>The unread bytes of the stream in a pooled array, grown only to the size of the largest message seen.</summary>
    private sealed class Window(int initialLength) : IDisposable
    {
        private byte[] _array = ArrayPool<byte>.Shared.Rent(initialLength);
        private int _start;
        private int _end;

        public int Length => _end - _start;

        public ReadOnlySpan<byte> Span => _array.AsSpan(_start, _end - _start);

        public void Consume(int count) => _start += count;

        /// <summary>Reads until <paramref name="count"/> bytes are buffered; false when the stream ends first.</summary>
        public async ValueTask<bool> FillAsync(Stream stream, int count, CancellationToken cancellationToken)
        {
            if (Length >= count)
            {
                return true;
            }

            if (count > _array.Length - _start)
            {
                var target = count > _array.Length ? ArrayPool<byte>.Shared.Rent(count) : _array;
                Buffer.BlockCopy(_array, _start, target, 0, Length);
                if (!ReferenceEquals(target, _array))
                {
                    ArrayPool<byte>.Shared.Return(_array);
                    _array = target;
                }

                _end = Length;
                _start = 0;
            }

            while (Length < count)
            {
                var read = await stream.ReadAsync(_array.AsMemory(_end), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return false;
                }

                _end += read;
            }

            return true;
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = [];
        }
    }
}
