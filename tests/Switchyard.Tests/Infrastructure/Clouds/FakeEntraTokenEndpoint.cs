using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>
/// A Microsoft Entra ID token endpoint (<c>POST /{tenant}/oauth2/v2.0/token</c>, client credentials
/// with a client secret or a federated client assertion) over HTTPS on loopback. Issues opaque
/// tokens with a short life on the test's clock, so callers must renew them, and tells the fake
/// Azure OpenAI whether a token is one it issued and still valid.
/// </summary>
public sealed class FakeEntraTokenEndpoint : IAsyncDisposable
{
    public const string Scope = "https://cognitiveservices.azure.com/.default";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _issued = new();
    private readonly TimeProvider _time;
    private LoopbackServer? _server;
    private int _count;

    private FakeEntraTokenEndpoint(TimeProvider time, X509Certificate2 certificate)
    {
        _time = time;
        Certificate = certificate;
    }

    public required string TenantId { get; init; }

    public required string ClientId { get; init; }

    /// <summary>The secret a client-secret app must present; null accepts none.</summary>
    public string? ClientSecret { get; init; }

    /// <summary>The federated token a workload-identity app must present as its assertion; null accepts none.</summary>
    public string? FederatedToken { get; init; }

    /// <summary>Lifetime of issued tokens. Under five minutes, so MSAL's own cache never answers for the endpoint.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(2);

    public X509Certificate2 Certificate { get; }

    public string AuthorityHost => _server!.BaseUrl;

    public IReadOnlyCollection<CloudRequest> Requests => _server!.Requests;

    /// <summary>Token requests answered with a token.</summary>
    public int Issued => _count;

    public static async Task<FakeEntraTokenEndpoint> StartAsync(TimeProvider time, string tenantId, string clientId, string? clientSecret = null, string? federatedToken = null)
    {
        var endpoint = new FakeEntraTokenEndpoint(time, LoopbackServer.CreateCertificate())
        {
            TenantId = tenantId,
            ClientId = clientId,
            ClientSecret = clientSecret,
            FederatedToken = federatedToken,
        };
        endpoint._server = await LoopbackServer.StartAsync(endpoint.HandleAsync, endpoint.Certificate);
        return endpoint;
    }

    /// <summary>A handler for Azure.Identity's transport that trusts this endpoint's certificate and nothing else.</summary>
    public HttpClientHandler CreateTrustingHandler() => new()
    {
        ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.Thumbprint == Certificate.Thumbprint,
    };

    public bool IsValid(string token) => _issued.TryGetValue(token, out var expires) && _time.GetUtcNow() < expires;

    private async Task HandleAsync(HttpContext context, CloudRequest request)
    {
        if (request.Method != "POST" || request.Path != $"/{TenantId}/oauth2/v2.0/token")
        {
            await Error(context, 404, "invalid_request", $"AADSTS90002: Tenant or endpoint '{request.Path}' not found.");
            return;
        }

        var form = System.Web.HttpUtility.ParseQueryString(request.BodyText);
        if (form["grant_type"] != "client_credentials" || form["client_id"] != ClientId || form["scope"] != Scope)
        {
            await Error(context, 400, "invalid_request", "AADSTS900144: grant_type, client_id or scope is wrong.");
            return;
        }

        var secretOk = ClientSecret is not null && form["client_secret"] == ClientSecret;
        var assertionOk = FederatedToken is not null
            && form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            && form["client_assertion"] == FederatedToken;
        if (!secretOk && !assertionOk)
        {
            await Error(context, 401, "invalid_client", "AADSTS7000215: Invalid client secret provided.");
            return;
        }

        var token = $"entra-{Interlocked.Increment(ref _count)}-{Guid.NewGuid():N}";
        _issued[token] = _time.GetUtcNow() + TokenLifetime;
        context.Response.ContentType = "application/json";
        var seconds = (int)TokenLifetime.TotalSeconds;
        await context.Response.WriteAsync($$"""{"token_type":"Bearer","expires_in":{{seconds}},"ext_expires_in":{{seconds}},"access_token":"{{token}}"}""");
    }

    private static Task Error(HttpContext context, int status, string error, string description)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync($$"""{"error":"{{error}}","error_description":"{{description}}","error_codes":[7000215]}""");
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Certificate.Dispose();
    }
}
