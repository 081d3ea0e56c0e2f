using System.Collections.Concurrent;
using Switchyard.Catalog;

namespace Switchyard.Routing;

/// <summary>One <see cref="ProviderGate"/> per provider with <c>maxConcurrency</c>, kept across reloads while the limit is unchanged.</summary>
internal sealed class ProviderGates(Func<int> maxQueue) : IDisposable
{
    private readonly ConcurrentDictionary<string, ProviderGate> _gates = new(StringComparer.Ordinal);

    /// <summary>Requests that may wait per provider, as configured now (a new bound applies to gates made after it).</summary>
    private int MaxQueue => maxQueue();

    public ProviderGate? For(Provider provider)
    {
        if (provider.MaxConcurrency is not int max)
        {
            return null;
        }

        var gate = _gates.GetOrAdd(provider.Name, static (_, limits) => new ProviderGate(limits.Max, limits.Queue), (Max: max, Queue: MaxQueue));
        if (gate.MaxConcurrency != max || gate.MaxQueue != MaxQueue)
        {
            // The limits changed on reload: new requests use a new gate; in-flight ones release the old.
            gate = new ProviderGate(max, MaxQueue);
            _gates[provider.Name] = gate;
        }

        return gate;
    }

    /// <summary>Requests waiting per provider now (for the <c>switchyard.queue.length</c> gauge).</summary>
    public IEnumerable<KeyValuePair<string, int>> QueueLengths()
    {
        foreach (var (provider, gate) in _gates)
        {
            yield return new(provider, gate.Waiting);
        }
    }

    public void Dispose()
    {
        foreach (var gate in _gates.Values)
        {
            gate.Dispose();
        }
    }
}
