namespace Switchyard.Dialects;

/// <summary>
/// Thrown by parsers for malformed input. Exactly one boundary (the pipeline) catches it and
/// answers with <see cref="Error"/> in the caller's envelope.
/// </summary>
public sealed class GatewayException : Exception
{
    public GatewayException(GatewayError error)
        : base(error.Message) => Error = error;

    public GatewayException()
        : this(GatewayError.Internal())
    {
    }

    public GatewayException(string message)
        : this(GatewayError.InvalidRequest(message))
    {
    }

    public GatewayException(string message, Exception innerException)
        : base(message, innerException) => Error = GatewayError.InvalidRequest(message);

    public GatewayError Error { get; }

    public static GatewayException InvalidRequest(string message, string? param = null) =>
        new(GatewayError.InvalidRequest(message, param));
}
