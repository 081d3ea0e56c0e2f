namespace Switchyard.Providers;

/// <summary>
/// Puts a provider's credentials on an upstream request just before it is sent, once its body is
/// final: an API key header, a bearer token from a cloud identity, or a request signature.
/// </summary>
internal interface IUpstreamSigner
{
    /// <summary>Signs <paramref name="request"/>; <paramref name="body"/> is its content, or null when the body is streamed.</summary>
    ValueTask SignAsync(HttpRequestMessage request, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken);
}
