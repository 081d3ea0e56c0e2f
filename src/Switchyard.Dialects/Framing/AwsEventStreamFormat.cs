namespace Switchyard.Dialects.Framing;

/// <summary>
/// Constants of the AWS event-stream binary framing (<c>application/vnd.amazon.eventstream</c>),
/// which Bedrock's <c>ConverseStream</c> and <c>InvokeModelWithResponseStream</c> answer with.
/// A message is: total length (uint32 BE), headers length (uint32 BE), CRC-32 of those 8 bytes,
/// headers, payload, CRC-32 of everything before it.
/// </summary>
public static class AwsEventStreamFormat
{
    /// <summary>Total length, headers length and the prelude's CRC.</summary>
    public const int PreludeLength = 12;

    /// <summary>The smallest message: a prelude and the message CRC, with no headers or payload.</summary>
    public const int MinimumMessageLength = PreludeLength + 4;

    /// <summary>
    /// The largest message accepted by default. AWS caps a message at 16 MiB of payload and 128 KiB
    /// of headers; anything claiming more is corrupt or hostile, and must not make the reader allocate it.
    /// </summary>
    public const int DefaultMaxMessageLength = (16 * 1024 * 1024) + (128 * 1024) + MinimumMessageLength;

    public const string MessageTypeHeader = ":message-type";
    public const string EventTypeHeader = ":event-type";
    public const string ExceptionTypeHeader = ":exception-type";
    public const string ErrorCodeHeader = ":error-code";
    public const string ErrorMessageHeader = ":error-message";
    public const string ContentTypeHeader = ":content-type";

    /// <summary>The header value types of the framing; only strings carry what a codec reads.</summary>
    internal enum HeaderType : byte
    {
        BoolTrue = 0,
        BoolFalse = 1,
        Byte = 2,
        Short = 3,
        Integer = 4,
        Long = 5,
        ByteArray = 6,
        String = 7,
        Timestamp = 8,
        Uuid = 9,
    }
}
