using Npgsql;
using Switchyard.Storage;
using Switchyard.Storage.Postgres;

namespace Switchyard.Tests.Storage;

/// <summary>
/// A store call a request waits for: answered at once it costs nothing more; slow, it is given up
/// with a <see cref="StoreTimeoutException"/> (a 503) and cancelled; a request that leaves cancels it.
/// And the pools those calls take connections from stay below the server's connection limit.
/// </summary>
public sealed class StoreTimeoutTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task An_answer_at_hand_is_returned_as_it_is()
    {
        CancellationToken seen = default;

        var answer = await StoreFailure.WithinTimeoutAsync(41, (value, token) =>
        {
            seen = token;
            return ValueTask.FromResult(value + 1);
        }, TestContext.Current.CancellationToken, Short);

        Assert.Equal(42, answer);
        Assert.False(seen.IsCancellationRequested);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_store_that_does_not_answer_is_given_up_and_its_call_cancelled()
    {
        CancellationToken seen = default;

        var started = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAsync<StoreTimeoutException>(async () => await StoreFailure.WithinTimeoutAsync(0, async (_, token) =>
        {
            seen = token;
            await Task.Delay(Timeout.Infinite, token);
            return 0;
        }, TestContext.Current.CancellationToken, Short));

        Assert.True(seen.IsCancellationRequested);
        Assert.InRange(started.Elapsed, Short * 0.9, TimeSpan.FromSeconds(5));
        Assert.True(StoreFailure.IsUnavailable(new StoreTimeoutException()));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_request_that_leaves_cancels_the_call_and_is_not_a_timeout()
    {
        using var request = new CancellationTokenSource();
        CancellationToken seen = default;

        var waiting = StoreFailure.WithinTimeoutAsync(0, async (_, token) =>
        {
            seen = token;
            await Task.Delay(Timeout.Infinite, token);
            return 0;
        }, request.Token, TimeSpan.FromMinutes(1)).AsTask();
        await request.CancelAsync();

        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.IsNotType<StoreTimeoutException>(thrown);
        Assert.True(seen.IsCancellationRequested);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_request_already_gone_cancels_a_call_that_did_not_answer_at_once()
    {
        using var request = new CancellationTokenSource();
        await request.CancelAsync();
        CancellationToken seen = default;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await StoreFailure.WithinTimeoutAsync(0, async (_, token) =>
        {
            seen = token;
            await Task.Delay(Timeout.Infinite, token);
            return 0;
        }, request.Token, TimeSpan.FromMinutes(1)));

        Assert.True(seen.IsCancellationRequested);
    }

    [Theory]
    [InlineData("Host=db;Database=s;Username=u;Password=p", PostgresDatabase.DefaultPoolSize, PostgresDatabase.DefaultCountersPoolSize)]
    [InlineData("Host=db;Database=s;Username=u;Password=p;Maximum Pool Size=7", 7, 7)]
    [InlineData("Host=db;Database=s;Username=u;Password=p;maxpoolsize=100", 100, 100)]
    [InlineData("Host=db;Database=s;Username=u;Password=p;Minimum Pool Size=30", 30, 30)]
    public void Pools_are_small_unless_the_connection_string_sizes_them(string connectionString, int stores, int counters)
    {
        var (storesString, countersString) = PostgresDatabase.ConnectionStrings(connectionString);

        Assert.Equal(stores, new NpgsqlConnectionStringBuilder(storesString).MaxPoolSize);
        Assert.Equal(counters, new NpgsqlConnectionStringBuilder(countersString).MaxPoolSize);
        Assert.Contains("synchronous_commit=off", new NpgsqlConnectionStringBuilder(countersString).Options, StringComparison.Ordinal);
        Assert.Null(new NpgsqlConnectionStringBuilder(storesString).Options);
        Assert.Equal("db", new NpgsqlConnectionStringBuilder(countersString).Host);
    }
}
