using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Switchyard.Auth;
using Switchyard.Catalog;
using Switchyard.Configuration;
using Switchyard.Diagnostics;
using Switchyard.Pipeline;
using Switchyard.Routing;

namespace Switchyard.Hosting;

/// <summary>Watches the configuration file: a good edit is compiled and swapped in; a bad one is logged and the last good snapshot stays.</summary>
public sealed class ConfigurationReloader(
    LoadedConfiguration configuration,
    CatalogMonitor catalogs,
    GatewayLimits limits,
    ApiKeyAuthenticator authenticator,
    MasterKey masterKey,
    RoutingSettings routing,
    ObservabilitySettings observability,
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

        // The root owns the file watcher (an inotify instance on Linux); the host does not dispose it.
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

        var catalog = CatalogBuilder.Build(options, settings.Environment);
        catalogs.Swap(catalog);
        limits.MaxBodyBytes = options.Limits.MaxBodyBytes;
        routing.Current = options.Routing;
        observability.Current = options.Observability;
        authenticator.SetConfiguredKeys(options.Keys, settings.Environment);

        // A configured master key applies before this returns; the old one stops working with it.
        _ = masterKey.ReloadAsync(options);
        logger.ConfigReloaded(catalog.Models.Count, catalog.Providers.Count);
    }
}
