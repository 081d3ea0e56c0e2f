using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Switchyard.Diagnostics;

namespace Switchyard.Storage.Postgres;

/// <summary>
/// Counts limits in PostgreSQL so every gateway of a fleet shares them exactly, without a database
/// round trip per request. Each process leases slices of a key's budget (rate-window units, slots
/// in flight, credits) with one call (<c>switchyard_lease</c>, which checks every limit under the
/// key's row lock and counts the slice as taken), admits and settles requests against its slice
/// in memory (<see cref="KeySlice"/>), and hands back what it did not use once the key goes idle.
/// The fleet can never exceed a limit: every unit a process spends was counted in the database
/// before it was granted. Credits are the one exception, by design: a request that cost more than
/// it reserved is charged in full, and what its slice cannot cover is added to the lease at once
/// (<c>switchyard_overdraw</c>), so the balance falls for the whole fleet before the ledger row lands.
/// A team's budget is leased the same way under the team's id, so its keys together are bound as one.
///
/// Slices are sized by demand: a quarter second of the rate seen since the last grant, at most a
/// sixteenth of the limit, and only the need itself once less than twice the want is left, so a
/// key near its limit is admitted one request at a time exactly as if there were no slices.
///
/// A process holds its slots and credits as a <em>holder</em> that it renews every few seconds; a
/// holder that stops renewing (a crashed process) is reclaimed by the others after the lease time,
/// which hands its slots and credits back. A process stops admitting from its slices before the
/// database could reclaim them, so a reclaimed slice is never spent twice. Left open: a process
/// stalled longer than the lease time with requests in flight settles their charges after its
/// credits went back; the ledger still records them, so spent may then pass the credits by those.
/// </summary>
internal sealed class PostgresRateLimitStore : IRateLimitStore, IAsyncDisposable
{
    // switchyard_lease's answer when this process's holder was reclaimed.
    private const LimitRefusal Reclaimed = (LimitRefusal)(-1);

    private readonly PostgresDatabase _database;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, KeySlice> _slices = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _holderGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    // A reference, so readers never see half of an id that is being replaced.
    private volatile HolderId _holder = new(Guid.NewGuid());

    // Every holder id this process has had: charges held under any of them are in its slices until ledgered.
    private readonly ConcurrentDictionary<Guid, byte> _holders = new();
    private long _holderValidUntil;
    private bool _registered;
    private Task? _keeper;

    public PostgresRateLimitStore(PostgresDatabase database, LeaseTiming? timing = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _database = database;
        _holders[_holder.Id] = 0;
        Timing = timing ?? new LeaseTiming();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    public LeaseTiming Timing { get; }

    /// <summary>This process's holder id, which the ledger names when it moves held charges to spent.</summary>
    public Guid Holder => _holder.Id;

    /// <summary>How many times this process has asked the database for a slice (for tests and the bench).</summary>
    public long Leases => Interlocked.Read(ref _leases);

    private long _leases;

    public async ValueTask<AdmissionResult> TryAdmitAsync(Admission admission, CancellationToken cancellationToken)
    {
        var slice = _slices.GetOrAdd(admission.KeyId, static _ => new KeySlice());
        if (TryTake(slice, admission) is { } local)
        {
            return local;
        }

        await slice.Gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                // Another admission may have leased while this one waited at the gate.
                if (TryTake(slice, admission) is { } taken)
                {
                    return taken;
                }

                // Units this process handed back a moment ago may not be in the database yet: a
                // lease asked before they are is refused for them (the request that waited for
                // a finishing one to hand its slot back would get a 429 for that very slot).
                Task returning;
                lock (slice)
                {
                    returning = slice.Returning;
                }

                // A failed return is logged where it fails; a stalled one holds up no longer than the request may wait.
                await returning.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                cancellationToken.ThrowIfCancellationRequested();
                await EnsureHolderAsync(cancellationToken);
                if (RebaseNeeded(slice, admission) is { } stale)
                {
                    await ReturnAsync(admission.KeyId, stale, cancellationToken);
                }

                LeaseAsk ask;
                var now = _time.GetTimestamp();
                lock (slice)
                {
                    slice.Roll(now);
                    ask = slice.Ask(admission, slice.Lacks(admission), now, _time, Timing.Horizon, Timing.Share);
                }

                var (refusal, grant) = await LeaseAsync(admission, ask, cancellationToken);
                if (refusal == LimitRefusal.None)
                {
                    lock (slice)
                    {
                        slice.Add(grant, now, tight: grant.Requests <= ask.NeedRequests && grant.Tokens <= ask.NeedTokens
                            && grant.Slots <= ask.NeedSlots && grant.Credits <= ask.NeedCredits);
                    }

                    continue;
                }

                if (refusal != Reclaimed)
                {
                    // Refused: what this process holds unused goes back for the others, and tokens its
                    // requests used beyond their slice are counted now rather than later.
                    LeaseReturn surplus;
                    lock (slice)
                    {
                        surplus = slice.Surplus();
                    }

                    if (!surplus.Empty)
                    {
                        await ReturnAsync(admission.KeyId, surplus, cancellationToken);
                    }

                    var sameWindow = surplus.Window == grant.Window;
                    var refused = new AdmissionResult(refusal, grant.Window,
                        grant.WindowRequests - (sameWindow ? surplus.Requests : 0),
                        grant.WindowTokens + (sameWindow ? surplus.TokensDelta : 0),
                        grant.UntilReset);
                    // Slots come and go with every request, so only the slower limits' refusals are remembered.
                    lock (slice)
                    {
                        slice.Refused = refusal == LimitRefusal.Concurrency ? null : refused;
                        slice.RefusedUntil = _time.GetTimestamp() + (long)(Timing.RefusalMemory.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
                    }

                    return refused;
                }

                // This process's holder was reclaimed (it could not renew in time): start over as a new one.
                if (attempt >= 2)
                {
                    throw new InvalidOperationException("The rate-limit lease could not be renewed.");
                }

                await LoseHolderAsync(cancellationToken);
            }
        }
        finally
        {
            slice.Gate.Release();
        }
    }

    public async ValueTask<Settlement> ReleaseAsync(Admission admission, long windowStart, long tokensUsed, decimal cost, CancellationToken cancellationToken)
    {
        var slice = _slices.GetOrAdd(admission.KeyId, static _ => new KeySlice());
        decimal held;
        var holder = _holder.Id;
        LeaseReturn surplus = default;
        lock (slice)
        {
            held = slice.Release(admission, windowStart, tokensUsed, cost);

            // Near a limit every unit counts: what this request did not use goes back now, not when the key idles.
            if (slice.Tight)
            {
                slice.Roll(_time.GetTimestamp());
                surplus = slice.Surplus();
            }
        }

        // Handed back beside the request's end rather than before it, so its ledger row is not held up.
        if (!surplus.Empty)
        {
            ReturnBeside(admission.KeyId, slice, surplus);
        }

        if (admission.Credits is not null && cost > held)
        {
            held += await OverdrawAsync(admission.KeyId, holder, slice, cost - held);
        }

        return held == 0 ? Settlement.None : new Settlement(held, holder);
    }

    /// <summary>The units go back to this process's slice, which hands them back to the database as it would its own surplus.</summary>
    public ValueTask CancelAsync(Admission admission, long windowStart, CancellationToken cancellationToken)
    {
        var slice = _slices.GetOrAdd(admission.KeyId, static _ => new KeySlice());
        LeaseReturn surplus = default;
        lock (slice)
        {
            slice.Cancel(admission, windowStart);
            if (slice.Tight)
            {
                slice.Roll(_time.GetTimestamp());
                surplus = slice.Surplus();
            }
        }

        if (!surplus.Empty)
        {
            ReturnBeside(admission.KeyId, slice, surplus);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Adds what a request cost beyond its reservation and the slice to this holder's lease, so
    /// the key's balance falls in the database now rather than when the ledger writes the row.
    /// Returns the amount now held; 0 when the database could not be told (the ledger adds the
    /// excess to spent when it writes the row, so nothing is lost, only seen later).
    /// </summary>
    private async Task<decimal> OverdrawAsync(string keyId, Guid holder, KeySlice slice, decimal excess)
    {
        try
        {
            await using var connection = await _database.OpenCountersAsync(CancellationToken.None);
            await using var command = new NpgsqlCommand("SELECT switchyard_overdraw($1, $2, $3);", connection);
            Bind(command.Parameters, keyId, NpgsqlDbType.Text);
            Bind(command.Parameters, holder, NpgsqlDbType.Uuid);
            Bind(command.Parameters, excess, NpgsqlDbType.Numeric);
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception exception) when (exception is NpgsqlException or ObjectDisposedException or InvalidOperationException or TimeoutException)
        {
            _logger.OverdrawDeferred(exception);
            return 0m;
        }

        lock (slice)
        {
            // Granted and held at once: the slice's room for other requests is unchanged.
            if (holder == _holder.Id)
            {
                slice.CreditsGranted += excess;
            }

            slice.CreditsHeld += excess;
        }

        return excess;
    }

    /// <summary>
    /// The ledger moved these held charges to spent. Where the current holder's lease row carried
    /// them (<paramref name="fromLease"/>), the slice shrinks with them, as the row did. Charges
    /// held by an earlier process (replayed from its spool) were never in this process's slices.
    /// </summary>
    public void Ledgered(string keyId, decimal held, Guid holder, bool fromLease)
    {
        if (!_holders.ContainsKey(holder))
        {
            return;
        }

        var slice = _slices.GetOrAdd(keyId, static _ => new KeySlice());
        lock (slice)
        {
            slice.CreditsHeld -= held;
            if (fromLease && holder == _holder.Id)
            {
                slice.CreditsGranted -= held;
            }
        }
    }

    /// <summary>Renews the holder, reclaims stopped holders' leases and hands back idle slices; runs on the keeper loop and from tests.</summary>
    public async Task MaintainAsync(bool renew, CancellationToken cancellationToken)
    {
        if (renew && _registered)
        {
            await RenewAsync(cancellationToken);
            await ReclaimAsync(cancellationToken);
        }

        var now = _time.GetTimestamp();
        foreach (var (keyId, slice) in _slices)
        {
            LeaseReturn surplus;
            lock (slice)
            {
                slice.Roll(now);

                // A busy slice keeps its units, but tokens used beyond it are counted at once.
                surplus = _time.GetElapsedTime(slice.LastAdmitted, now) < Timing.IdleReturn ? slice.Overdraft() : slice.Surplus();
            }

            if (!surplus.Empty)
            {
                // Not under the stop's token: the units have left the slice, and a return cancelled
                // half-way would leave the database counting them after this process is gone.
                await ReturnAsync(keyId, surplus, CancellationToken.None);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_keeper is { } keeper)
        {
            await keeper.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // A graceful stop hands everything back at once rather than after the lease time.
        if (_registered)
        {
            try
            {
                foreach (var (keyId, slice) in _slices)
                {
                    LeaseReturn surplus;
                    Task returning;
                    lock (slice)
                    {
                        surplus = slice.Surplus();
                        returning = slice.Returning;
                    }

                    // Returns still on their way finish before the holder's row goes.
                    await returning.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

                    if (!surplus.Empty)
                    {
                        await ReturnAsync(keyId, surplus, CancellationToken.None);
                    }
                }

                await using var connection = await _database.OpenCountersAsync(CancellationToken.None);
                await using var command = new NpgsqlCommand("DELETE FROM lease_holders WHERE holder = $1;", connection);
                Bind(command.Parameters, _holder.Id, NpgsqlDbType.Uuid);
                await command.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (Exception exception) when (exception is NpgsqlException or ObjectDisposedException)
            {
                // The others reclaim what is left once the lease time has passed.
                _logger.LeaseReturnFailed(exception);
            }
        }

        _stopping.Dispose();
    }

    private AdmissionResult? TryTake(KeySlice slice, Admission admission)
    {
        var now = _time.GetTimestamp();
        var holderValid = now < Volatile.Read(ref _holderValidUntil);
        lock (slice)
        {
            slice.Roll(now);
            if (!slice.SameLimits(admission))
            {
                return null;
            }

            var lacks = slice.Lacks(admission);
            if (!lacks.None)
            {
                // The database refused this key a moment ago and nothing came back since: refuse alike
                // without asking again, so a client hammering past its limit does not hammer the database.
                return slice.Refused is { } refused && now < slice.RefusedUntil && lacks.In(refused.Refusal) ? refused : null;
            }

            // Slots and credits are the holder's only while it is surely still registered.
            if (!holderValid && (admission.MaxConcurrent is not null || admission.Credits is not null))
            {
                return null;
            }

            var untilReset = slice.Window == 0 ? UntilMinuteEnds() : _time.GetElapsedTime(now, slice.WindowEnds);
            return slice.Take(admission, now, untilReset);
        }
    }

    private static void Bind(NpgsqlParameterCollection parameters, object? value, NpgsqlDbType type) =>
        parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value, NpgsqlDbType = type });

    private TimeSpan UntilMinuteEnds()
    {
        var seconds = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        return AdmissionResult.UntilEndOf(AdmissionResult.WindowOf((long)seconds), seconds);
    }

    /// <summary>The key's limits changed since its slice was granted: hand the slice back and take the new limits.</summary>
    private static LeaseReturn? RebaseNeeded(KeySlice slice, Admission admission)
    {
        lock (slice)
        {
            if (slice.SameLimits(admission))
            {
                return null;
            }

            var surplus = slice.Surplus();
            slice.TakeLimits(admission);
            return surplus.Empty ? null : surplus;
        }
    }

    private async Task<(LimitRefusal Refusal, LeaseGrant Grant)> LeaseAsync(Admission admission, LeaseAsk ask, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _leases);
        await using var connection = await _database.OpenCountersAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT * FROM switchyard_lease($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15);", connection);
        var p = command.Parameters;
        Bind(p, admission.KeyId, NpgsqlDbType.Text);
        Bind(p, _holder.Id, NpgsqlDbType.Uuid);
        Bind(p, Timing.Ttl.TotalSeconds, NpgsqlDbType.Double);
        Bind(p, admission.Rpm, NpgsqlDbType.Integer);
        Bind(p, admission.Tpm, NpgsqlDbType.Bigint);
        Bind(p, admission.MaxConcurrent, NpgsqlDbType.Integer);
        Bind(p, admission.Credits, NpgsqlDbType.Numeric);
        Bind(p, ask.NeedRequests, NpgsqlDbType.Integer);
        Bind(p, ask.WantRequests, NpgsqlDbType.Integer);
        Bind(p, ask.NeedTokens, NpgsqlDbType.Bigint);
        Bind(p, ask.WantTokens, NpgsqlDbType.Bigint);
        Bind(p, ask.NeedSlots, NpgsqlDbType.Integer);
        Bind(p, ask.WantSlots, NpgsqlDbType.Integer);
        Bind(p, ask.NeedCredits, NpgsqlDbType.Numeric);
        Bind(p, ask.WantCredits, NpgsqlDbType.Numeric);
        var sent = _time.GetTimestamp();
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var grant = new LeaseGrant(
                Window: reader.GetInt64(5),
                UntilReset: TimeSpan.FromSeconds(reader.GetDouble(8)),
                Requests: reader.GetInt32(1),
                Tokens: reader.GetInt64(2),
                Slots: reader.GetInt32(3),
                Credits: reader.GetDecimal(4),
                WindowRequests: reader.GetInt32(6),
                WindowTokens: reader.GetInt64(7));
            var refusal = (LimitRefusal)reader.GetInt32(0);
            if (refusal == LimitRefusal.None)
            {
                // The call renewed the holder.
                ExtendHolder(sent);
            }

            return (refusal, grant);
        }
        catch (PostgresException reclaimed) when (reclaimed.SqlState == "SY001")
        {
            return (Reclaimed, default);
        }
    }

    /// <summary>
    /// Hands units back without holding up the caller; the slice's next lease waits for it. Set
    /// before the release returns, so before its lease signals a request waiting for the slot.
    /// </summary>
    private void ReturnBeside(string keyId, KeySlice slice, LeaseReturn surplus)
    {
        var returning = ReturnAsync(keyId, surplus, CancellationToken.None);
        lock (slice)
        {
            slice.Returning = slice.Returning.IsCompleted ? returning : Task.WhenAll(slice.Returning, returning);
        }
    }

    private async Task ReturnAsync(string keyId, LeaseReturn surplus, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _database.OpenCountersAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT switchyard_return($1, $2, $3, $4, $5, $6, $7);", connection);
            var p = command.Parameters;
            Bind(p, keyId, NpgsqlDbType.Text);
            Bind(p, _holder.Id, NpgsqlDbType.Uuid);
            Bind(p, surplus.Window, NpgsqlDbType.Bigint);
            Bind(p, surplus.Requests, NpgsqlDbType.Integer);
            Bind(p, surplus.TokensDelta, NpgsqlDbType.Bigint);
            Bind(p, surplus.Slots, NpgsqlDbType.Integer);
            Bind(p, surplus.Credits, NpgsqlDbType.Numeric);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is NpgsqlException or ObjectDisposedException or InvalidOperationException)
        {
            // The database keeps counting the slice as taken: too strict, never too loose. A
            // crash-free process keeps it until it stops; the holder's end hands it back.
            _logger.LeaseReturnFailed(exception);
        }
    }

    private async Task EnsureHolderAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _registered))
        {
            return;
        }

        await _holderGate.WaitAsync(cancellationToken);
        try
        {
            if (_registered)
            {
                return;
            }

            await _database.MigrateAsync(cancellationToken);
            await using var connection = await _database.OpenCountersAsync(cancellationToken);
            await using var command = new NpgsqlCommand("INSERT INTO lease_holders (holder, expires_at) VALUES ($1, clock_timestamp() + make_interval(secs => $2));", connection);
            Bind(command.Parameters, _holder.Id, NpgsqlDbType.Uuid);
            Bind(command.Parameters, Timing.Ttl.TotalSeconds, NpgsqlDbType.Double);
            var sent = _time.GetTimestamp();
            await command.ExecuteNonQueryAsync(cancellationToken);
            ExtendHolder(sent);
            Volatile.Write(ref _registered, true);
            _keeper ??= Task.Run(KeepAsync, CancellationToken.None);
        }
        finally
        {
            _holderGate.Release();
        }
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenCountersAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "UPDATE lease_holders SET expires_at = clock_timestamp() + make_interval(secs => $2) WHERE holder = $1 AND expires_at > clock_timestamp();", connection);
        Bind(command.Parameters, _holder.Id, NpgsqlDbType.Uuid);
        Bind(command.Parameters, Timing.Ttl.TotalSeconds, NpgsqlDbType.Double);
        var sent = _time.GetTimestamp();
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
        {
            ExtendHolder(sent);
        }
        else
        {
            await LoseHolderAsync(cancellationToken);
        }
    }

    /// <summary>Hands back the slots and credits of holders that stopped renewing.</summary>
    private async Task ReclaimAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenCountersAsync(cancellationToken);
        await using (var expire = new NpgsqlCommand("DELETE FROM lease_holders WHERE expires_at < clock_timestamp();", connection))
        {
            await expire.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var reclaim = new NpgsqlCommand("SELECT switchyard_reclaim();", connection);
        await reclaim.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>This holder was reclaimed: its slots and credits are gone; register anew under another id.</summary>
    private async Task LoseHolderAsync(CancellationToken cancellationToken)
    {
        await _holderGate.WaitAsync(cancellationToken);
        try
        {
            foreach (var slice in _slices.Values)
            {
                lock (slice)
                {
                    slice.Lose();
                }
            }

            _holder = new HolderId(Guid.NewGuid());
            _holders[_holder.Id] = 0;
            Volatile.Write(ref _holderValidUntil, 0);
            Volatile.Write(ref _registered, false);
        }
        finally
        {
            _holderGate.Release();
        }

        _logger.LeaseHolderReclaimed();
        await EnsureHolderAsync(cancellationToken);
    }

    // Counted from before the renewing call was sent, less a margin, so this process stops using
    // its slots and credits before any other process could reclaim them.
    private void ExtendHolder(long sent)
    {
        var until = sent + (long)((Timing.Ttl - Timing.Margin).TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        long current;
        do
        {
            current = Volatile.Read(ref _holderValidUntil);
            if (until <= current)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _holderValidUntil, until, current) != current);
    }

    private async Task KeepAsync()
    {
        var lastRenew = _time.GetTimestamp();
        using var timer = new PeriodicTimer(Timing.Tick, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                var renew = _time.GetElapsedTime(lastRenew) >= Timing.RenewEvery;
                if (renew)
                {
                    lastRenew = _time.GetTimestamp();
                }

                try
                {
                    await MaintainAsync(renew, _stopping.Token);
                }
                catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
                {
                    _logger.LeaseReturnFailed(exception);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }
}

internal sealed record HolderId(Guid Id);

/// <summary>How leases behave in time; the defaults suit production, tests shorten them.</summary>
internal sealed record LeaseTiming
{
    /// <summary>How long a holder's slots and credits outlive its last renewal.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How much earlier than the database a process stops trusting its own holder.</summary>
    public TimeSpan Margin { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RenewEvery { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A key's slice goes back to the database after this long without an admission.</summary>
    public TimeSpan IdleReturn { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a refusal from the database is repeated without asking it again (until something is released).</summary>
    public TimeSpan RefusalMemory { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A slice covers the demand expected over this long.</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A slice is at most this fraction (1/Share) of a limit beyond the request's own need.</summary>
    public int Share { get; init; } = 16;
}
