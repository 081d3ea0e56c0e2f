using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Framing;

/// <summary>
/// Writes AWS event-stream messages with string headers. The gateway itself only reads this
/// framing; the writer is what scripted Bedrock upstreams and framing tests answer with.
/// </summary>
public static class AwsEventStreamWriter
{
    /// <summary>An <c>event</c> message, as Bedrock sends each ConverseStream event: the payload is the event's JSON.</summary>
    public static void WriteEvent(IBufferWriter<byte> output, string eventType, ReadOnlySpan<byte> payload) =>
        Write(output, [(AwsEventStreamFormat.EventTypeHeader, eventType), (AwsEventStreamFormat.ContentTypeHeader, "application/json"), (AwsEventStreamFormat.MessageTypeHeader, "event")], payload);

    /// <summary>An <c>exception</c> message (a modeled error such as <c>throttlingException</c>) with its <c>{"message":…}</c> payload.</summary>
    public static void WriteException(IBufferWriter<byte> output, string exceptionType, string message)
    {
        using var payload = new PooledBufferWriter(256);
        using (var writer = new Utf8JsonWriter(payload, JsonWire.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("message"u8, message);
            writer.WriteEndObject();
        }

        Write(output, [(AwsEventStreamFormat.ExceptionTypeHeader, exceptionType), (AwsEventStreamFormat.ContentTypeHeader, "application/json"), (AwsEventStreamFormat.MessageTypeHeader, "exception")], payload.WrittenSpan);
    }

    /// <summary>An <c>error</c> message: code and message travel in headers, with no payload.</summary>
    public static void WriteError(IBufferWriter<byte> output, string code, string message) =>
        Write(output, [(AwsEventStreamFormat.ErrorCodeHeader, code), (AwsEventStreamFormat.ErrorMessageHeader, message), (AwsEventStreamFormat.MessageTypeHeader, "error")], []);

    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<(string Name, string Value)> headers, ReadOnlySpan<byte> payload)
    {
        var headersLength = 0;
        foreach (var (name, value) in headers)
        {
            headersLength += 1 + Encoding.UTF8.GetByteCount(name) + 1 + 2 + Encoding.UTF8.GetByteCount(value);
        }

        var total = AwsEventStreamFormat.MinimumMessageLength + headersLength + payload.Length;
        var message = output.GetSpan(total)[..total];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(message[4..], (uint)headersLength);
        BinaryPrimitives.WriteUInt32BigEndian(message[8..], Crc32.HashToUInt32(message[..8]));

        var position = AwsEventStreamFormat.PreludeLength;
        foreach (var (name, value) in headers)
        {
            var nameLength = Encoding.UTF8.GetBytes(name, message[(position + 1)..]);
            message[position] = checked((byte)nameLength);
            position += 1 + nameLength;
            message[position++] = (byte)AwsEventStreamFormat.HeaderType.String;
            var valueLength = Encoding.UTF8.GetBytes(value, message[(position + 2)..]);
            BinaryPrimitives.WriteUInt16BigEndian(message[position..], checked((ushort)valueLength));
            position += 2 + valueLength;
        }

        payload.CopyTo(message[position..]);
        position += payload.Length;
        BinaryPrimitives.WriteUInt32BigEndian(message[position..], Crc32.HashToUInt32(message[..position]));
        output.Advance(total);
    }
}
