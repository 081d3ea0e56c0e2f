using System.Collections.Concurrent;
using System.Collections.Frozen;
using Switchyard.Configuration;
using Switchyard.Storage;

namespace Switchyard.Auth;

/// <summary>
/// Resolves a presented secret to a <see cref="Caller"/>: the master key, a key from the
/// configuration file, or a stored key. Stored keys are cached for a few seconds so the hot path
/// does not touch the database, which bounds how long a revocation in another process takes to
/// be seen (within 5 seconds); revocations made here drop the cache entry at once.
///
/// A key nobody made costs nothing lasting: only keys found in the store are cached, so the
/// cache is bounded by the keys the operator made, and a key whose hash is not among the
/// <see cref="KnownKeys"/> is looked up only within a small <see cref="LookupBudget"/>, so a
/// flood of invented keys neither grows memory nor hammers the store. While the store is down,
/// a key seen before keeps working from its cached entry, and an unseen one is a 503. A key's
/// team is read with it and cached with it, so a change to a team reaches this process's cached
/// keys when the cache is dropped (here, at once) or expires (elsewhere, within 5 seconds).
/// </summary>
internal sealed class ApiKeyAuthenticator
{
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(4);

    private readonly IKeyStore _store;
    private readonly TimeProvider _time;
    private readonly LookupBudget _budget;
    private long _lookups;
    private readonly ConcurrentDictionary<string, (Caller? Caller, long ExpiresAt, DateTimeOffset? KeyExpiresAt)> _cache = new(StringComparer.Ordinal);
    private volatile FrozenDictionary<string, (Caller Caller, DateTimeOffset? ExpiresAt)> _configured =
        new Dictionary<string, (Caller, DateTimeOffset?)>().ToFrozenDictionary(StringComparer.Ordinal);
    private readonly DelegatedCredentials? _delegated;
    private readonly ITeamStore? _teams;
    private volatile string? _masterHash;

    public ApiKeyAuthenticator(IKeyStore store, TimeProvider time, DelegatedCredentials? delegated = null, ITeamStore? teams = null)
    {
        _store = store;
        _time = time;
        _budget = new LookupBudget(time);
        _delegated = delegated;
        _teams = teams;
    }

    /// <summary>The hashes of the store's keys; a presented key outside them costs no lookup beyond the budget.</summary>
    public KnownKeys Known { get; } = new();

    /// <summary>Stored keys cached: never more than the store holds.</summary>
    public int CachedKeys => _cache.Count;

    /// <summary>Lookups made in the store since start (for tests and the bench).</summary>
    public long StoreLookups => Interlocked.Read(ref _lookups);

    /// <summary>Adds keys made elsewhere since the last refresh (the CLI, another process of a fleet).</summary>
    public Task RefreshKnownKeysAsync(CancellationToken cancellationToken) => Known.RefreshAsync(_store, cancellationToken);

    public void SetMasterKeyHash(string hash) => _masterHash = hash;

    /// <summary>Loads the keys of the configuration file (hashed here; the clear values are not kept).</summary>
    public void SetConfiguredKeys(IEnumerable<KeyOptions> keys, Func<string, string?> environment)
    {
        var callers = new Dictionary<string, (Caller, DateTimeOffset?)>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (EnvReferenceResolver.Resolve(key.Key, environment) is not { Length: > 0 } secret)
            {
                continue;
            }

            var hash = KeyHasher.Hash(secret);
            callers[hash] = (new Caller
            {
                KeyId = ConfiguredKeyIds.Of(key),
                Name = key.Name,
                AllowedModels = key.AllowedModels?.ToFrozenSet(StringComparer.Ordinal),
                Rpm = key.Rpm,
                Tpm = key.Tpm,
                MaxConcurrent = key.MaxConcurrent,
                Credits = key.Credits,
            }, key.ExpiresAt);
        }

        _configured = callers.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public async ValueTask<Caller?> AuthenticateAsync(string? secret, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return null;
        }

        if (_delegated is not null && secret.StartsWith(DelegatedCredentials.Prefix, StringComparison.Ordinal))
        {
            return _delegated.Read(secret) is { } keyId ? await FindByIdAsync(keyId, cancellationToken) : null;
        }

        if (TryKnown(secret, out var known, out var hash))
        {
            return known;
        }

        var now = _time.GetTimestamp();
        var seen = _cache.TryGetValue(hash, out var cached);
        if (seen && now < cached.ExpiresAt)
        {
            return cached.Caller;
        }

        // Not a key the store has (as far as this process knows): look only within the budget.
        if (!seen && Known.Loaded && !Known.Contains(hash) && !_budget.TryTake())
        {
            return null;
        }

        KeyRecord? record;
        TeamRecord? team;
        try
        {
            Interlocked.Increment(ref _lookups);
            // A static lambda: one capturing the hash made every call allocate its state, found in the cache or not.
            (record, team) = await StoreFailure.WithinTimeoutAsync((Authenticator: this, Hash: hash),
                static (state, token) => state.Authenticator.FindWithTeamAsync(state.Hash, token), cancellationToken);
        }
        catch (Exception exception) when (StoreFailure.IsUnavailable(exception))
        {
            // The store is down or slow: a key known before keeps working; an unknown one cannot be checked.
            return !seen ? throw new Dialects.GatewayException(StoreFailure.Error())
                : cached.KeyExpiresAt <= _time.GetUtcNow() ? null
                : cached.Caller;
        }

        if (record is null)
        {
            // Not cached: an invented key leaves nothing behind.
            return null;
        }

        Known.Add(hash);
        var caller = record.RevokedAt is not null || record.ExpiresAt <= _time.GetUtcNow() ? null : ToCaller(record, team);
        var lifetime = (long)(CacheLifetime.TotalSeconds * _time.TimestampFrequency);
        if (record.ExpiresAt is { } expires && caller is not null)
        {
            // Do not cache a key past its own expiry.
            var untilExpiry = (long)((expires - _time.GetUtcNow()).TotalSeconds * _time.TimestampFrequency);
            lifetime = Math.Min(lifetime, Math.Max(0, untilExpiry));
        }

        _cache[hash] = (caller, now + lifetime, record.ExpiresAt);
        return caller;
    }

    /// <summary>
    /// The caller of a key this process knows without asking the store: the master key, a configured
    /// key, or a stored key cached and fresh. Its hash is looked up as characters on the stack and
    /// made a string only for the store's lookup (false), not on every request.
    /// </summary>
    private bool TryKnown(string secret, out Caller? caller, out string hash)
    {
        Span<char> hex = stackalloc char[KeyHasher.HexLength];
        KeyHasher.Hash(secret, hex);
        ReadOnlySpan<char> key = hex;
        if (_masterHash is { } master && KeyHasher.HashesEqual(key, master))
        {
            (caller, hash) = (Caller.Master, master);
            return true;
        }

        // Dictionary lookups by hash do not reveal the secret through timing: the attacker does not control the hash.
        if (_configured.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var configured))
        {
            // Checked on every request: a configured key stops working when its expiresAt passes, as a stored key does.
            (caller, hash) = (configured.ExpiresAt <= _time.GetUtcNow() ? null : configured.Caller, "");
            return true;
        }

        if (_cache.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var cached) && _time.GetTimestamp() < cached.ExpiresAt)
        {
            (caller, hash) = (cached.Caller, "");
            return true;
        }

        (caller, hash) = (null, new string(key));
        return false;
    }

    /// <summary>The caller a key id stands for (the master, a configured or a stored key); null when it is unknown, revoked or expired.</summary>
    public async ValueTask<Caller?> FindByIdAsync(string keyId, CancellationToken cancellationToken)
    {
        if (keyId == Caller.Master.KeyId)
        {
            return Caller.Master;
        }

        foreach (var (caller, expiresAt) in _configured.Values)
        {
            if (caller.KeyId == keyId)
            {
                return expiresAt <= _time.GetUtcNow() ? null : caller;
            }
        }

        var record = await _store.GetAsync(keyId, cancellationToken);
        return record is null || record.RevokedAt is not null || record.ExpiresAt <= _time.GetUtcNow() ? null : ToCaller(record, await TeamOfAsync(record, cancellationToken));
    }

    /// <summary>The configuration file's keys, as callers.</summary>
    public IEnumerable<Caller> ConfiguredCallers => _configured.Values.Select(c => c.Caller);

    /// <summary>Forgets cached keys so a revocation or change takes effect at once in this process.</summary>
    public void Invalidate() => _cache.Clear();

    /// <summary>The key stored under <paramref name="hash"/>, if any, and its team.</summary>
    private async ValueTask<(KeyRecord? Key, TeamRecord? Team)> FindWithTeamAsync(string hash, CancellationToken cancellationToken)
    {
        var found = await _store.FindByHashAsync(hash, cancellationToken);
        return (found, await TeamOfAsync(found, cancellationToken));
    }

    /// <summary>The key's team; null for a key in none (a team id naming no team cannot be stored, as teams with keys are not deleted).</summary>
    private async Task<TeamRecord?> TeamOfAsync(KeyRecord? record, CancellationToken cancellationToken) =>
        record?.TeamId is { } teamId && _teams is not null ? await _teams.GetAsync(teamId, cancellationToken) : null;

    private static Caller ToCaller(KeyRecord record, TeamRecord? team) => new()
    {
        KeyId = record.Id,
        Name = record.Name,
        AllowedModels = record.AllowedModels?.ToFrozenSet(StringComparer.Ordinal),
        Rpm = record.Rpm,
        Tpm = record.Tpm,
        MaxConcurrent = record.MaxConcurrent,
        Credits = record.Credits,
        Team = team,
    };
}
