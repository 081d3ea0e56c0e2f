using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchyard.Auth;
using Switchyard.Configuration;
using Switchyard.Diagnostics;
using Switchyard.Storage;

namespace Switchyard.Hosting;

/// <summary>
/// Start-up work before the gateway is ready: migrate the store, settle the master key (configured,
/// stored, or created now and printed once), and load the configuration file's keys.
/// </summary>
public sealed class GatewayStartup(
    Stores stores,
    ApiKeyAuthenticator authenticator,
    LoadedConfiguration configuration,
    ServeSettings settings,
    GatewayReadiness readiness,
    Catalog.CatalogMonitor catalogs,
    ILogger<GatewayStartup> logger) : IHostedService
{
    public const string MasterKeySetting = "master_key_hash";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Off the request path and off start-up's: the tokenizer vocabularies take about a second to load.
        _ = Task.Run(() => Metering.TokenEstimator.WarmUp(catalogs.Current), CancellationToken.None);

        var store = stores.Keys;
        await store.InitializeAsync(cancellationToken);
        if (EnvReferenceResolver.Resolve(configuration.Options.MasterKey, settings.Environment) is { Length: > 0 } master)
        {
            authenticator.SetMasterKeyHash(KeyHasher.Hash(master));
        }
        else
        {
            var candidate = KeyHasher.NewSecret();
            var stored = await store.SetSettingIfAbsentAsync(MasterKeySetting, KeyHasher.Hash(candidate), cancellationToken);
            if (stored == KeyHasher.Hash(candidate))
            {
                // Shown once, here; only its hash is kept.
                logger.MasterKeyCreated();
                await settings.Output.WriteLineAsync($"Switchyard master key (shown once, store it now): {candidate}");
                await settings.Output.FlushAsync(cancellationToken);
            }

            authenticator.SetMasterKeyHash(stored);
        }

        authenticator.SetConfiguredKeys(configuration.Options.Keys, settings.Environment);
        readiness.MarkReady();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
