using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchyard.Auth;
using Switchyard.Configuration;
using Switchyard.Diagnostics;
using Switchyard.Storage;

namespace Switchyard.Hosting;

/// <summary>
/// Start-up work before the gateway is ready: migrate the store, settle the master key (configured,
/// stored, or created now and printed once), and load the configuration file's keys, moving what
/// the store holds under their former ids to their present ones.
/// </summary>
internal sealed class GatewayStartup(
    Stores stores,
    ApiKeyAuthenticator authenticator,
    MasterKey masterKey,
    LoadedConfiguration configuration,
    ServeSettings settings,
    GatewayReadiness readiness,
    ILogger<GatewayStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await stores.Keys.InitializeAsync(cancellationToken);
        await masterKey.ApplyAsync(configuration.Options, cancellationToken);
        await MoveLegacyKeyIdsAsync(cancellationToken);
        authenticator.SetConfiguredKeys(configuration.Options.Keys, settings.Environment);
        await authenticator.RefreshKnownKeysAsync(cancellationToken);
        readiness.MarkReady();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Configuration keys used to be identified by a hash of their secret; their ledger rows,
    /// credits spent and stored responses move to the name-based id. Done before the gateway
    /// serves, so no row is written under either id meanwhile; a no-op once done.
    /// </summary>
    private async Task MoveLegacyKeyIdsAsync(CancellationToken cancellationToken)
    {
        foreach (var key in configuration.Options.Keys)
        {
            if (EnvReferenceResolver.Resolve(key.Key, settings.Environment) is not { Length: > 0 } secret)
            {
                continue;
            }

            var legacy = ConfiguredKeyIds.Legacy(secret);
            var id = ConfiguredKeyIds.Of(key);
            var rows = await stores.Ledger.MoveKeyAsync(legacy, id, cancellationToken);
            var responses = await stores.Conversations.MoveKeyAsync(legacy, id, cancellationToken);
            if (rows + responses > 0)
            {
                logger.KeyIdMoved(id, rows, responses);
            }
        }
    }
}
