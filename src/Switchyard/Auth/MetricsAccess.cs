using Microsoft.AspNetCore.Http;
using Switchyard.Configuration;
using Switchyard.Diagnostics;

namespace Switchyard.Auth;

/// <summary>
/// Who may read <c>GET /metrics</c> (<c>observability.metricsAuth</c>): anyone (<c>open</c>), the
/// master key (<c>masterKey</c>), or the scrape token or the master key (<c>token</c>). Any of
/// the credential forms of docs/surfaces.md works; Prometheus sends <c>Authorization: Bearer</c>.
/// </summary>
internal sealed class MetricsAccess(ApiKeyAuthenticator authenticator, SnapshotMonitor snapshots, Func<string, string?> environment)
{
    /// <summary>200 when the request may read the metrics, else 401 (no or unknown credential) or 403 (a key that is not allowed).</summary>
    public async ValueTask<int> CheckAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var options = snapshots.Current.Observability;
        if (options.MetricsAuth == ObservabilityOptions.Open)
        {
            return StatusCodes.Status200OK;
        }

        if (CredentialReader.Read(request) is not { Length: > 0 } secret)
        {
            return StatusCodes.Status401Unauthorized;
        }

        if (options.MetricsAuth == ObservabilityOptions.Token
            && EnvReferenceResolver.Resolve(options.MetricsToken, environment) is { Length: > 0 } token
            && KeyHasher.HashesEqual(KeyHasher.Hash(secret), KeyHasher.Hash(token)))
        {
            return StatusCodes.Status200OK;
        }

        return await authenticator.AuthenticateAsync(secret, cancellationToken) switch
        {
            null => StatusCodes.Status401Unauthorized,
            { IsMaster: true } => StatusCodes.Status200OK,
            _ => StatusCodes.Status403Forbidden,
        };
    }
}
