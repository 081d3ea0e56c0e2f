namespace Switchyard.Providers.Native;

/// <summary>
/// Sends a provider's API key the way its API expects (<c>Authorization: Bearer</c>, <c>x-api-key</c>,
/// <c>x-goog-api-key</c>), unless the provider's configured headers already set that header.
/// </summary>
internal sealed class ApiKeySigner(string header, string value) : IUpstreamSigner
{
    public ValueTask SignAsync(HttpRequestMessage request, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken)
    {
        if (!request.Headers.Contains(header))
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        return ValueTask.CompletedTask;
    }
}
