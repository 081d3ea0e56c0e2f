using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Limits;
using Switchyard.Storage;
using Switchyard.Storage.Postgres;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Limits;

/// <summary>
/// The PostgreSQL limit store leases slices of a key's budget and spends them locally. Each store
/// here stands for one gateway process; they share one real database. The slices must never let
/// the processes together pass a limit, must spare the database most round trips on a busy key,
/// and must come back: when idle, when the limits change, and when a process dies.
/// </summary>
public sealed class LeaseTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly LeaseTiming Quick = new()
    {
        Ttl = TimeSpan.FromSeconds(2),
        Margin = TimeSpan.FromSeconds(0.5),
        RenewEvery = TimeSpan.FromSeconds(0.3),
        IdleReturn = TimeSpan.FromMilliseconds(150),
        Tick = TimeSpan.FromMilliseconds(50),
    };

    private static Admission Ask(string key, int? rpm = null, int? tpm = null, int? slots = null, decimal? credits = null, long tokens = 10, decimal cost = 0m) =>
        new() { KeyId = key, Rpm = rpm, Tpm = tpm, MaxConcurrent = slots, Credits = credits, Tokens = tokens, Cost = cost };

    /// <summary>Reads until <paramref name="done"/> holds or ten seconds pass (a keeper's hand-back lands on its own time); returns the last value read.</summary>
    private static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var value = await read();
        while (!done(value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Cancel);
            value = await read();
        }

        return value;
    }

    [Fact]
    public async Task A_busy_key_is_admitted_from_local_slices_with_few_database_calls()
    {
        await using var postgres = await TestPostgres.CreateAsync();
        await using var database = new PostgresDatabase(postgres.ConnectionString);
        await using var store = new PostgresRateLimitStore(database, Quick);
        var admission = Ask("busy", rpm: 1_000_000, tpm: 100_000_000, slots: 10_000, credits: 1_000m, tokens: 50, cost: 0.001m);
        await KeyLimitsTests.AwayFromMinuteEdgeAsync(neededSeconds: 10);

        const int requests = 3000;
        const int parallelism = 8;
        await Parallel.ForAsync(0, requests, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = Cancel }, async (_, ct) =>
        {
            var admitted = await store.TryAdmitAsync(admission, ct);
            Assert.True(admitted.Admitted, admitted.Refusal.ToString());
            Assert.Equal(new Settlement(0.001m, store.Holder), await store.ReleaseAsync(admission, admitted.WindowStart, 50, 0.001m, ct));
        });

        // A slice is at most a share of the limit beyond the needs of the requests asking at once.
        Assert.InRange(store.Leases, 1, requests / 10);
        var windowRequests = await postgres.ScalarAsync<int>("SELECT window_requests FROM key_state WHERE key_id = 'busy'");
        Assert.InRange(windowRequests, requests, requests + 1_000_000 / Quick.Share + parallelism);
        var inFlight = await postgres.ScalarAsync<int>("SELECT in_flight FROM key_state WHERE key_id = 'busy'");
        Assert.InRange(inFlight, 0, 10_000 / Quick.Share + parallelism);
    }

    [Fact]
    public async Task A_busy_key_admitted_in_two_parts_as_requests_are_still_spares_the_database()
    {
        // A request is admitted in two parts (KeyLimiter): its slot and rate unit from its headers,
        // then its tokens and credits once its body is read. Each part's ask once reset the demand
        // the other part's next ask was sized by, so with all four limits every ask was for the
        // need alone, and the slice, tight, handed every release straight back: a lease per request.
        await using var postgres = await TestPostgres.CreateAsync();
        await using var database = new PostgresDatabase(postgres.ConnectionString);
        await using var store = new PostgresRateLimitStore(database, Quick);
        var limits = Ask("two-parts", rpm: 1_000_000, tpm: 100_000_000, slots: 10_000, credits: 1_000m, tokens: 50, cost: 0.001m);
        var requestPart = limits with { CountsRequest = true, HoldsSlot = true, ReservesBudget = false, Tokens = 0, Cost = 0m };
        var budgetPart = limits with { CountsRequest = false, HoldsSlot = false, ReservesBudget = true };
        await KeyLimitsTests.AwayFromMinuteEdgeAsync(neededSeconds: 10);

        const int requests = 3000;
        await Parallel.ForAsync(0, requests, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Cancel }, async (_, ct) =>
        {
            var counted = await store.TryAdmitAsync(requestPart, ct);
            Assert.True(counted.Admitted, counted.Refusal.ToString());
            var budgeted = await store.TryAdmitAsync(budgetPart, ct);
            Assert.True(budgeted.Admitted, budgeted.Refusal.ToString());
            await store.ReleaseAsync(budgetPart, budgeted.WindowStart, 50, 0.001m, ct);
            await store.ReleaseAsync(requestPart, counted.WindowStart, 0, 0m, ct);
        });

        Assert.InRange(store.Leases, 1, requests / 10);
        var windowRequests = await postgres.ScalarAsync<int>("SELECT window_requests FROM key_state WHERE key_id = 'two-parts'");
        Assert.InRange(windowRequests, requests, requests + 1_000_000 / Quick.Share + 8);
    }

    [Fact]
    public async Task Two_processes_together_take_every_unit_of_a_limit_and_never_one_more()
    {
        await using var postgres = await TestPostgres.CreateAsync();
        await using var databaseA = new PostgresDatabase(postgres.ConnectionString);
        await using var databaseB = new PostgresDatabase(postgres.ConnectionString);
        await using var a = new PostgresRateLimitStore(databaseA, Quick);
        await using var b = new PostgresRateLimitStore(databaseB, Quick);
        const int rpm = 400;
        var admission = Ask("shared", rpm: rpm, tpm: 40_000, tokens: 100);
        await KeyLimitsTests.AwayFromMinuteEdgeAsync(neededSeconds: 20);

        // Both processes registered and warm (on another key), so neither starts late.
        Assert.True((await a.TryAdmitAsync(Ask("warm-a", rpm: 10), Cancel)).Admitted);
        Assert.True((await b.TryAdmitAsync(Ask("warm-b", rpm: 10), Cancel)).Admitted);

        // Each takes a unit of the key first, so both hold a share of it when the hammering starts:
        // on a loaded machine one process's four workers could otherwise spend the whole minute
        // before the other's first ask (seen in CI with a native publish beside the tests).
        var admitted = new ConcurrentBag<int>();
        foreach (var (store, process) in new[] { (a, 0), (b, 1) })
        {
            var first = await store.TryAdmitAsync(admission, Cancel);
            Assert.True(first.Admitted);
            admitted.Add(process);
            await store.ReleaseAsync(admission, first.WindowStart, 100, 0m, Cancel);
        }

        // Both hammer the key until each has been refused several times in a row, idle pauses
        // included so the other's unused slices come back to the database.
        async Task HammerAsync(PostgresRateLimitStore store, int process)
        {
            var refusedInARow = 0;
            while (refusedInARow < 6)
            {
                var result = await store.TryAdmitAsync(admission, Cancel);
                if (result.Admitted)
                {
                    admitted.Add(process);
                    await store.ReleaseAsync(admission, result.WindowStart, 100, 0m, Cancel);
                    refusedInARow = 0;
                }
                else
                {
                    Assert.Equal(LimitRefusal.Requests, result.Refusal);
                    refusedInARow++;
                    await Task.Delay(Quick.IdleReturn * 2, Cancel);
                }
            }
        }

        await Task.WhenAll(
            Task.WhenAll(Enumerable.Range(0, 4).Select(_ => HammerAsync(a, 0))),
            Task.WhenAll(Enumerable.Range(0, 4).Select(_ => HammerAsync(b, 1))));

        Assert.Equal(rpm, admitted.Count);
        Assert.Contains(0, admitted);
        Assert.Contains(1, admitted);
        Assert.Equal(rpm, await postgres.ScalarAsync<int>("SELECT window_requests FROM key_state WHERE key_id = 'shared'"));
    }

    /// <summary>
    /// Two processes spend one key's credits; some requests cost more than they reserved. Each is
    /// charged in full, and the excess is counted in the database at once, so the key passes zero
    /// by at most the excess of the requests in flight when it ran out.
    /// </summary>
    [Fact]
    public async Task Two_processes_charge_every_request_in_full_and_pass_zero_by_at_most_the_excess_in_flight()
    {
        await using var postgres = await TestPostgres.CreateAsync();
        await using var databaseA = new PostgresDatabase(postgres.ConnectionString);
        await using var databaseB = new PostgresDatabase(postgres.ConnectionString);
        await using var a = new PostgresRateLimitStore(databaseA, Quick);
        await using var b = new PostgresRateLimitStore(databaseB, Quick);
        const decimal credits = 2m;
        const decimal reserved = 0.013m;
        const decimal dearest = 0.02m;
        const int workers = 8;
        var admission = Ask("credits", credits: credits, cost: reserved);

        var charged = new ConcurrentBag<decimal>();
        var held = new ConcurrentBag<decimal>();
        var refusals = 0;
        async Task SpendAsync(PostgresRateLimitStore store)
        {
            while (Volatile.Read(ref refusals) < 20)
            {
                var result = await store.TryAdmitAsync(admission, Cancel);
                if (!result.Admitted)
                {
                    Assert.Equal(LimitRefusal.Credits, result.Refusal);
                    Interlocked.Increment(ref refusals);
                    await Task.Delay(Quick.IdleReturn * 2, Cancel);
                    continue;
                }

                // Some requests cost less than reserved, some more (an input estimate fell short).
                var cost = charged.Count % 3 == 0 ? dearest : 0.011m;
                var settlement = await store.ReleaseAsync(admission, result.WindowStart, 10, cost, Cancel);
                charged.Add(cost);
                held.Add(settlement.Held);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, workers).Select(i => SpendAsync(i % 2 == 0 ? a : b)));

        Assert.True(charged.Sum() > credits - 0.05m, $"charged only {charged.Sum()} of {credits}");
        Assert.True(charged.Sum() <= credits + workers * (dearest - reserved), $"charged {charged.Sum()} of {credits}");

        // Nothing is ledgered here: every charge, excess included, is held in the leases until it is.
        Assert.Equal(charged.Sum(), held.Sum());
        // Once the keepers have handed back what no request holds, the database keeps exactly the charges.
        var stillReserved = await UntilAsync(
            () => postgres.ScalarAsync<decimal>("SELECT reserved FROM key_state WHERE key_id = 'credits'"),
            reserved => reserved == charged.Sum());
        Assert.Equal(charged.Sum(), stillReserved);
    }

    /// <summary>
    /// A key at its one slot: the request refused for it waits for the one in flight and asks again
    /// the moment it is released. The release hands the slot back to the database beside the
    /// request's end; the next lease must not get there first and be refused for that very slot.
    /// </summary>
    [Fact]
    public async Task A_slot_released_is_the_next_request_s_at_once()
    {
        await using var postgres = await TestPostgres.CreateAsync();
        await using var database = new PostgresDatabase(postgres.ConnectionString);
        await using var store = new PostgresRateLimitStore(database, Quick);
        var admission = Ask("one-slot", slots: 1);
        for (var round = 0; round < 100; round++)
        {
            var held = await store.TryAdmitAsync(admission, Cancel);
            Assert.True(held.Admitted, $"round {round}: {held.Refusal}");
            Assert.Equal(LimitRefusal.Concurrency, (await store.TryAdmitAsync(admission, Cancel)).Refusal);

            await store.ReleaseAsync(admission, held.WindowStart, 10, 0m, Cancel);
            var next = await store.TryAdmitAsync(admission, Cancel);

            Assert.True(next.Admitted, $"round {round}: {next.Refusal}");
            await store.ReleaseAsync(admission, next.WindowStart, 10, 0m, Cancel);
        }
    }

    [Fact]
    public async Task A_dead_process_slots_and_credits_come_back_after_the_lease_time()
    {
        await using var postgres = await TestPostgres.CreateAsync();
        var databaseA = new PostgresDatabase(postgres.ConnectionString);
        await using var databaseB = new PostgresDatabase(postgres.ConnectionString);
        var a = new PostgresRateLimitStore(databaseA, Quick);
        await using var b = new PostgresRateLimitStore(databaseB, Quick);
        var admission = Ask("crash", slots: 2, credits: 1m, cost: 0.4m);

        // From before A holds anything: its lease cannot end sooner than the lease time after this.
        var started = DateTime.UtcNow;
        Assert.True((await a.TryAdmitAsync(admission, Cancel)).Admitted);
        Assert.True((await a.TryAdmitAsync(admission, Cancel)).Admitted);

        // A dies with both requests in flight: its connections close and it never renews again.
        await databaseA.DisposeAsync();
        var refused = await b.TryAdmitAsync(admission, Cancel);
        Assert.Equal(LimitRefusal.Concurrency, refused.Refusal);

        AdmissionResult result;
        do
        {
            await Task.Delay(100, Cancel);
            result = await b.TryAdmitAsync(admission, Cancel);
        }
        while (!result.Admitted && DateTime.UtcNow - started < TimeSpan.FromSeconds(10));

        Assert.True(result.Admitted, result.Refusal.ToString());
        Assert.InRange(DateTime.UtcNow - started, Quick.Ttl - Quick.Margin - Quick.RenewEvery, TimeSpan.FromSeconds(10));
        Assert.Equal(0, await postgres.ScalarAsync<int>("SELECT count(*) FROM key_leases l WHERE NOT EXISTS (SELECT 1 FROM lease_holders h WHERE h.holder = l.holder)"));
        await a.DisposeAsync();
    }

    [Fact]
    public async Task Idle_slices_go_back_and_a_graceful_stop_returns_everything()
    {
        await using var postgres = await TestPostgres.CreateAsync();
        await using var database = new PostgresDatabase(postgres.ConnectionString);

        // The store's clock moves only when the test moves it: on a busy machine the real one could
        // let the slice go idle between the last admission and the first look at the database.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new PostgresRateLimitStore(database, Quick, clock);
        var admission = Ask("idle", rpm: 100_000, slots: 1000, credits: 100m, cost: 0.01m);

        // Enough demand for slices bigger than one request.
        var inFlight = new List<AdmissionResult>();
        for (var i = 0; i < 200; i++)
        {
            var result = await store.TryAdmitAsync(admission, Cancel);
            Assert.True(result.Admitted);
            if (i < 3)
            {
                inFlight.Add(result);
            }
            else
            {
                await store.ReleaseAsync(admission, result.WindowStart, 10, 0m, Cancel);
            }
        }

        Assert.True(await postgres.ScalarAsync<int>("SELECT in_flight FROM key_state WHERE key_id = 'idle'") > 3);

        // Idle: the keeper's next tick hands back everything beyond the three requests still in flight.
        clock.Advance(Quick.IdleReturn + Quick.Tick);
        Assert.Equal(3, await UntilAsync(
            () => postgres.ScalarAsync<int>("SELECT in_flight FROM key_state WHERE key_id = 'idle'"),
            inFlight => inFlight == 3));
        Assert.Equal(0.03m, await postgres.ScalarAsync<decimal>("SELECT reserved FROM key_state WHERE key_id = 'idle'"));

        foreach (var result in inFlight)
        {
            await store.ReleaseAsync(admission, result.WindowStart, 10, 0m, Cancel);
        }

        await store.DisposeAsync();
        Assert.Equal(0, await postgres.ScalarAsync<int>("SELECT in_flight FROM key_state WHERE key_id = 'idle'"));
        Assert.Equal(0m, await postgres.ScalarAsync<decimal>("SELECT reserved FROM key_state WHERE key_id = 'idle'"));
        Assert.Equal(0, await postgres.ScalarAsync<int>("SELECT count(*) FROM lease_holders"));
    }

    [Fact]
    public async Task A_stop_while_an_idle_slice_is_handed_back_loses_none_of_it()
    {
        // The keeper's hand-back used to run under the stop's token: a stop landing mid-way took the
        // slice's units from memory and cancelled their return, so the database kept them counted.
        await using var postgres = await TestPostgres.CreateAsync();
        await using var database = new PostgresDatabase(postgres.ConnectionString);
        var store = new PostgresRateLimitStore(database, Quick with { Tick = TimeSpan.FromHours(1), IdleReturn = TimeSpan.Zero });
        var admission = Ask("stopping", rpm: 100_000, slots: 1000, credits: 100m, cost: 0.01m);
        for (var i = 0; i < 20; i++)
        {
            var result = await store.TryAdmitAsync(admission, Cancel);
            Assert.True(result.Admitted);
            await store.ReleaseAsync(admission, result.WindowStart, 10, 0m, Cancel);
        }

        Assert.True(await postgres.ScalarAsync<int>("SELECT in_flight FROM key_state WHERE key_id = 'stopping'") > 0);

        // The keeper's turn, with the stop already asked for.
        await store.MaintainAsync(renew: false, new CancellationToken(canceled: true));
        await store.DisposeAsync();

        Assert.Equal(0, await postgres.ScalarAsync<int>("SELECT in_flight FROM key_state WHERE key_id = 'stopping'"));
        Assert.Equal(0m, await postgres.ScalarAsync<decimal>("SELECT reserved FROM key_state WHERE key_id = 'stopping'"));
    }

    [Fact]
    public async Task A_lowered_limit_binds_at_the_next_admission_despite_a_slice_held()
    {
        await using var postgres = await TestPostgres.CreateAsync();
        await using var database = new PostgresDatabase(postgres.ConnectionString);
        await using var store = new PostgresRateLimitStore(database, Quick);
        await KeyLimitsTests.AwayFromMinuteEdgeAsync(neededSeconds: 10);
        var generous = Ask("lowered", rpm: 10_000);
        for (var i = 0; i < 100; i++)
        {
            Assert.True((await store.TryAdmitAsync(generous, Cancel)).Admitted);
        }

        var lowered = generous with { Rpm = 105 };
        var admitted = 0;
        for (var i = 0; i < 20; i++)
        {
            admitted += (await store.TryAdmitAsync(lowered, Cancel)).Admitted ? 1 : 0;
        }

        Assert.Equal(5, admitted);
        Assert.Equal(105, await postgres.ScalarAsync<int>("SELECT window_requests FROM key_state WHERE key_id = 'lowered'"));
    }
}
