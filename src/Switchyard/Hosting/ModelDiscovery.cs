using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchyard.Catalog;
using Switchyard.Configuration;
using Switchyard.Diagnostics;
using Switchyard.Dialects;

namespace Switchyard.Hosting;

/// <summary>
/// On a zero-config start, lists the models of each provider found in the environment whose API
/// can list them (<see cref="IModelDiscovery"/>) and swaps them into the catalog. Runs after start so
/// the gateway answers at once; a provider that cannot be listed is logged and skipped.
/// </summary>
internal sealed class ModelDiscovery(
    LoadedConfiguration configuration,
    SnapshotMonitor snapshots,
    ServeSettings settings,
    ILogger<ModelDiscovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.IsZeroConfig)
        {
            return;
        }

        var discovered = new List<ModelOptions>();
        foreach (var provider in snapshots.Current.Catalog.Providers.Values)
        {
            if (provider.Discovery is not { } discovery)
            {
                continue;
            }

            try
            {
                var models = await ListAsync(provider, discovery, stoppingToken);
                // An id longer than any request may name could be listed but never used.
                discovered.AddRange(models
                    .Where(m => m.Id.Length <= ModelCatalog.MaxModelIdLength)
                    .Select(m => new ModelOptions { Id = m.Id, Provider = provider.Name, Kind = ModelKinds.Name(m.Kind) }));
                logger.ModelsDiscovered(provider.Name, models.Count);
            }
            catch (Exception exception) when (exception is HttpRequestException or JsonException or OperationCanceledException or InvalidOperationException)
            {
                if (stoppingToken.IsCancellationRequested)
                {
                    return;
                }

                logger.DiscoveryFailed(provider.Name, exception.Message);
            }
        }

        if (discovered.Count > 0)
        {
            snapshots.Swap(snapshots.Current.WithDiscovered(discovered, settings.ProviderContext));
        }
    }

    private static async Task<IReadOnlyList<(string Id, ModelKind Kind)>> ListAsync(Provider provider, IModelDiscovery discovery, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        using var request = new HttpRequestMessage(HttpMethod.Get, provider.BaseUrl + discovery.Path);
        Forwarding.UpstreamClient.ApplyConfiguredHeaders(request, provider);
        if (provider.Signer is { } signer)
        {
            await signer.SignAsync(request, body: null, timeout.Token);
        }

        using var response = await provider.Invoker!.SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"the upstream answered {(int)response.StatusCode}");
        }

        return discovery.Read(await response.Content.ReadAsByteArrayAsync(timeout.Token));
    }
}
