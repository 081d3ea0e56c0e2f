namespace Switchyard.Providers;

/// <summary>
/// A signer could not obtain credentials (no AWS credentials in the chain, a token endpoint that
/// refused or did not answer). The message names the provider's setting at fault and never a secret;
/// the request fails as an upstream failure that another deployment may serve.
/// </summary>
internal sealed class UpstreamCredentialsException : Exception
{
    public UpstreamCredentialsException()
    {
    }

    public UpstreamCredentialsException(string message)
        : base(message)
    {
    }

    public UpstreamCredentialsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
