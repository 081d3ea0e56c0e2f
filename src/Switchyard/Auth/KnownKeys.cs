using System.Globalization;
using Switchyard.Storage;

namespace Switchyard.Auth;

/// <summary>
/// The hashes of the keys in the store, held as their first 64 bits: a presented key whose hash
/// is not here is not in the store, so it is refused without a lookup. Its size follows the
/// keys the operator made, never the keys a caller invents. Loaded at start, and kept current
/// with keys made here at once and with keys made elsewhere (another process of a fleet, the
/// CLI) by a refresh every few seconds; in between, a bounded number of lookups per second
/// (<see cref="LookupBudget"/>) still finds such a key.
/// </summary>
internal sealed class KnownKeys
{
    // Keys made elsewhere are looked for again this far back, for clocks that disagree and inserts in flight.
    private static readonly TimeSpan RefreshOverlap = TimeSpan.FromMinutes(5);

    private readonly HashSet<ulong> _prefixes = [];
    private readonly Lock _lock = new();
    private DateTimeOffset? _newestSeen;
    private volatile bool _loaded;

    /// <summary>False until the first load: then every key is worth a (budgeted) lookup.</summary>
    public bool Loaded => _loaded;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _prefixes.Count;
            }
        }
    }

    public bool Contains(string hash)
    {
        var prefix = Prefix(hash);
        lock (_lock)
        {
            return _prefixes.Contains(prefix);
        }
    }

    public void Add(string hash)
    {
        var prefix = Prefix(hash);
        lock (_lock)
        {
            _prefixes.Add(prefix);
        }
    }

    /// <summary>Adds the keys made since the last refresh (all of them the first time).</summary>
    public async Task RefreshAsync(IKeyStore store, CancellationToken cancellationToken)
    {
        var since = _newestSeen - RefreshOverlap;
        var keys = await store.ListHashesAsync(since, cancellationToken);
        lock (_lock)
        {
            foreach (var (hash, createdAt) in keys)
            {
                _prefixes.Add(Prefix(hash));
                if (_newestSeen is null || createdAt > _newestSeen)
                {
                    _newestSeen = createdAt;
                }
            }

            _newestSeen ??= since ?? DateTimeOffset.UnixEpoch;
        }

        _loaded = true;
    }

    private static ulong Prefix(string hash) => ulong.Parse(hash.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
}
