namespace Switchyard.Media;

/// <summary>A media fetch the gateway refused or could not complete; the message says why and is safe to show the client.</summary>
internal sealed class MediaFetchException : Exception
{
    public MediaFetchException()
    {
    }

    public MediaFetchException(string message)
        : base(message)
    {
    }

    public MediaFetchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
