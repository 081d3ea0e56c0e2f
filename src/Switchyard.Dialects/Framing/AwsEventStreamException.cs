namespace Switchyard.Dialects.Framing;

/// <summary>
/// The upstream's AWS event-stream bytes are broken (bad checksum, impossible length, cut off
/// mid-message). An <see cref="IOException"/>, so callers treat it like any other failed read of
/// the upstream body.
/// </summary>
public sealed class AwsEventStreamException : IOException
{
    public AwsEventStreamException()
    {
    }

    public AwsEventStreamException(string message)
        : base(message)
    {
    }

    public AwsEventStreamException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
