namespace Switchyard.Dialects;

/// <summary>Where a dialect's requests go under a provider's base URL, and how its errors read.</summary>
public interface IUpstreamEndpoint
{
    /// <summary>The path (and query) appended to the provider's base URL.</summary>
    string Path(string upstreamModel, bool stream);

    /// <summary>Turns an upstream's error answer into a gateway error, scrubbed of keys and addresses.</summary>
    GatewayError ReadError(int status, ReadOnlySpan<byte> body);

    /// <summary>The same, for a dialect whose errors are named in a response header (<paramref name="header"/> reads one).</summary>
    GatewayError ReadError(int status, Func<string, string?> header, ReadOnlySpan<byte> body) => ReadError(status, body);
}
