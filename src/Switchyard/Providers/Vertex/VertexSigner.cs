using System.Net.Http.Headers;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Json;

namespace Switchyard.Providers.Vertex;

/// <summary>
/// Authenticates Vertex AI requests with a Google OAuth access token for the cloud-platform scope,
/// from a credentials file or Application Default Credentials. Google.Apis.Auth keeps the token
/// and renews it before it expires; for a service-account key the gateway builds the credential
/// itself so the file's own <c>token_uri</c> and the gateway's clock are used.
/// </summary>
internal sealed class VertexSigner : IUpstreamSigner, IDisposable
{
    public const string Scope = "https://www.googleapis.com/auth/cloud-platform";

    private readonly Func<CancellationToken, Task<ITokenAccess>> _create;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ITokenAccess? _credential;

    private VertexSigner(Func<CancellationToken, Task<ITokenAccess>> create) => _create = create;

    /// <summary>A signer for <paramref name="options"/>; nothing is read until the first request.</summary>
    public static VertexSigner Create(VertexOptions options, TimeProvider time) =>
        new(cancellationToken => options.CredentialsFile is { Length: > 0 } file
            ? FromFileAsync(file, time, cancellationToken)
            : ApplicationDefaultAsync(cancellationToken));

    public async ValueTask SignAsync(HttpRequestMessage request, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken)
    {
        var credential = _credential ?? await CredentialAsync(cancellationToken).ConfigureAwait(false);
        string token;
        try
        {
            token = await credential.GetAccessTokenForRequestAsync(authUri: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TokenResponseException or HttpRequestException or InvalidOperationException)
        {
            throw new UpstreamCredentialsException("Google refused or could not issue an access token for this vertex provider.", exception);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    private async Task<ITokenAccess> CredentialAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _credential ??= await _create(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<ITokenAccess> FromFileAsync(string path, TimeProvider time, CancellationToken cancellationToken)
    {
        string json;
        JsonCredentialParameters parameters;
        try
        {
            json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            parameters = NewtonsoftJsonSerializer.Instance.Deserialize<JsonCredentialParameters>(json)
                ?? throw new InvalidOperationException("The credentials file is JSON null.");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or Newtonsoft.Json.JsonException or InvalidOperationException)
        {
            throw new UpstreamCredentialsException("The vertex provider's credentialsFile could not be read as Google credentials.", exception);
        }

        if (parameters.Type != JsonCredentialParameters.ServiceAccountCredentialType)
        {
            // Authorized-user and external-account (workload identity federation) files, as Google's factory reads them.
            return CredentialFactory.FromJson(json, parameters.Type).CreateScoped(Scope);
        }

        if (parameters.ClientEmail is null || parameters.PrivateKey is null)
        {
            throw new UpstreamCredentialsException("The vertex provider's service-account key file lacks client_email or private_key.");
        }

        var initializer = new ServiceAccountCredential.Initializer(parameters.ClientEmail, parameters.TokenUri ?? GoogleAuthConsts.OidcTokenUrl)
        {
            ProjectId = parameters.ProjectId,
            KeyId = parameters.PrivateKeyId,
            Scopes = [Scope],
            Clock = new TimeProviderClock(time),
        };
        return new ServiceAccountCredential(initializer.FromPrivateKey(parameters.PrivateKey));
    }

    private static async Task<ITokenAccess> ApplicationDefaultAsync(CancellationToken cancellationToken)
    {
        try
        {
            var credential = await GoogleCredential.GetApplicationDefaultAsync(cancellationToken).ConfigureAwait(false);
            return credential.CreateScoped(Scope);
        }
        catch (InvalidOperationException exception)
        {
            throw new UpstreamCredentialsException(
                "No Google Application Default Credentials were found: set credentialsFile or GOOGLE_APPLICATION_CREDENTIALS, or run on Google Cloud.",
                exception);
        }
    }

    public void Dispose() => _gate.Dispose();
}
