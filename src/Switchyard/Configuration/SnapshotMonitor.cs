using System.Collections.Concurrent;
using Switchyard.Catalog;

namespace Switchyard.Configuration;

/// <summary>
/// Holds the <see cref="GatewaySnapshot"/> in force; a swap is one assignment, so a reader sees the
/// old one or the new one, whole. Providers the new snapshot no longer uses (removed, or compiled
/// again because their settings changed) are released a while later: their connection pools and
/// credential refreshers would otherwise live on with every reload.
/// </summary>
internal sealed class SnapshotMonitor(GatewaySnapshot initial, TimeSpan? retireAfter = null) : IDisposable
{
    /// <summary>
    /// How long a replaced provider stays usable by requests that started before the swap, for their
    /// retries and fallbacks. Their open streams outlive it: releasing a connection pool closes only
    /// its idle connections.
    /// </summary>
    public static readonly TimeSpan RetireAfter = TimeSpan.FromMinutes(5);

    private readonly Lock _swap = new();
    private readonly ConcurrentDictionary<Provider, byte> _retiring = new();
    private readonly CancellationTokenSource _disposed = new();
    private volatile GatewaySnapshot _current = initial;

    public GatewaySnapshot Current => _current;

    public void Swap(GatewaySnapshot next)
    {
        GatewaySnapshot previous;
        lock (_swap)
        {
            previous = _current;
            _current = next;
        }

        foreach (var provider in previous.RetiredBy(next))
        {
            if (_retiring.TryAdd(provider, 0))
            {
                _ = RetireAsync(provider);
            }
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        foreach (var provider in _retiring.Keys)
        {
            Release(provider);
        }

        _disposed.Dispose();
    }

    private async Task RetireAsync(Provider provider)
    {
        try
        {
            await Task.Delay(retireAfter ?? RetireAfter, _disposed.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Release(provider);
    }

    private void Release(Provider provider)
    {
        // A snapshot compiled from the one being replaced (models discovered meanwhile) may have kept it.
        if (!_retiring.TryRemove(provider, out _) || ReferenceEquals(_current.Catalog.Providers.GetValueOrDefault(provider.Name), provider))
        {
            return;
        }

        provider.Invoker?.Dispose();
        (provider.Signer as IDisposable)?.Dispose();
    }
}
