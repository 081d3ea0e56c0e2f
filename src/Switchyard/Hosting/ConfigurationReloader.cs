using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Switchyard.Auth;
using Switchyard.Configuration;
using Switchyard.Diagnostics;

namespace Switchyard.Hosting;

/// <summary>
/// Watches the configuration file: a good edit is compiled into a new snapshot and swapped in
/// whole; a bad one is logged and changes nothing. Settings read only at start are named in the
/// log as needing a restart.
/// </summary>
internal sealed class ConfigurationReloader(
    LoadedConfiguration configuration,
    SnapshotMonitor snapshots,
    ApiKeyAuthenticator authenticator,
    MasterKey masterKey,
    ServeSettings settings,
    ILogger<ConfigurationReloader> logger) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!configuration.IsZeroConfig)
        {
            _subscription = ChangeToken.OnChange(configuration.Root.GetReloadToken, Reload);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();

        // The root and the file's source own its watch; the host disposes neither.
        foreach (var file in configuration.Root.Providers.OfType<FileConfigurationProvider>())
        {
            (file.Source.FileProvider as IDisposable)?.Dispose();
        }

        (configuration.Root as IDisposable)?.Dispose();
        return Task.CompletedTask;
    }

    private void Reload()
    {
        var (options, problems) = ConfigurationLoader.Reload(configuration.Root, zeroConfig: false, settings.Environment);
        if (problems.Count > 0)
        {
            logger.ConfigReloadRejected(string.Join("; ", problems));
            return;
        }

        var running = snapshots.Current;
        foreach (var setting in GatewaySnapshot.NeedingRestart(running.Options, options))
        {
            logger.ConfigSettingNeedsRestart(setting);
        }

        // Providers whose settings did not change are kept, with their connections and credentials.
        var next = GatewaySnapshot.Compile(options, settings.ProviderContext, previous: running);
        snapshots.Swap(next);
        authenticator.SetConfiguredKeys(options.Keys, settings.Environment);

        // A configured master key applies before this returns; the old one stops working with it.
        _ = masterKey.ReloadAsync(options);
        logger.ConfigReloaded(next.Catalog.Models.Count, next.Catalog.Providers.Count);
    }
}
