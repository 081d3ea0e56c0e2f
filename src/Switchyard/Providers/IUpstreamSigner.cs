namespace Switchyard.Providers;

/// <summary>
/// Adds a provider's credentials to an upstream request. Applied to every upstream request just
/// before it is sent, after its body is final, so signatures that cover the body (AWS SigV4) and
/// tokens that expire (Entra ID, Google OAuth) are always fresh.
/// </summary>
internal interface IUpstreamSigner
{
    ValueTask SignAsync(HttpRequestMessage request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken);
}
