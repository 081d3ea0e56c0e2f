using System.Net.Http.Headers;
using Azure.Core;

namespace Switchyard.Providers.Azure;

/// <summary>
/// Authenticates Azure OpenAI requests: the <c>api-key</c> header, or a Microsoft Entra ID bearer
/// token for the Cognitive Services scope, kept until shortly before it expires and then fetched
/// again by one request while the others wait.
/// </summary>
internal sealed class AzureSigner : IUpstreamSigner, IDisposable
{
    /// <summary>The scope Azure OpenAI tokens are issued for.</summary>
    public const string Scope = "https://cognitiveservices.azure.com/.default";

    /// <summary>The most time before expiry a token is renewed.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private readonly string? _apiKey;
    private readonly TokenCredential? _credential;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CachedToken? _token;

    private AzureSigner(string? apiKey, TokenCredential? credential, TimeProvider time)
    {
        _apiKey = apiKey;
        _credential = credential;
        _time = time;
    }

    public static AzureSigner WithApiKey(string apiKey) => new(apiKey, null, TimeProvider.System);

    public static AzureSigner WithCredential(TokenCredential credential, TimeProvider time) => new(null, credential, time);

    public async ValueTask SignAsync(HttpRequestMessage request, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken)
    {
        if (_apiKey is not null)
        {
            request.Headers.Remove("api-key");
            request.Headers.TryAddWithoutValidation("api-key", _apiKey);
            return;
        }

        var token = await TokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    private async ValueTask<string> TokenAsync(CancellationToken cancellationToken)
    {
        if (_token is { } cached && _time.GetUtcNow() < cached.RefreshAt)
        {
            return cached.Value;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            if (_token is { } fresh && now < fresh.RefreshAt)
            {
                return fresh.Value;
            }

            AccessToken token;
            try
            {
                token = await _credential!.GetTokenAsync(new TokenRequestContext([Scope]), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is global::Azure.Identity.AuthenticationFailedException or global::Azure.Identity.CredentialUnavailableException or global::Azure.RequestFailedException)
            {
                throw new UpstreamCredentialsException("Microsoft Entra ID refused or could not issue a token for this azure provider.", exception);
            }

            // Renew at the issuer's hint, else half-way through a short token's life, else five minutes early.
            var lifetime = token.ExpiresOn - now;
            var margin = lifetime / 2 < RefreshMargin ? lifetime / 2 : RefreshMargin;
            _token = new CachedToken(token.Token, token.RefreshOn ?? token.ExpiresOn - margin);
            return token.Token;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    public override string ToString() => _apiKey is not null ? "AzureSigner(api-key, redacted)" : $"AzureSigner({_credential?.GetType().Name})";

    private sealed record CachedToken(string Value, DateTimeOffset RefreshAt);
}
