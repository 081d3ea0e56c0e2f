using System.IO.Pipelines;
using Switchyard.Forwarding;

namespace Switchyard.Tests.Forwarding;

/// <summary>
/// An upstream body's reads end when the client leaves (the token the call was linked to, read
/// under directly), when another token given to a read is cancelled (linked per read), or when the
/// upstream stays silent past the idle timeout.
/// </summary>
public sealed class IdleTimeoutStreamTests
{
    [Fact]
    public async Task A_read_under_the_callers_token_ends_when_the_client_leaves()
    {
        using var client = new CancellationTokenSource();
        var (call, body, _) = Open(TimeSpan.FromMinutes(5), client.Token);
        using var disposeCall = call;

        var read = body.ReadAsync(new byte[16], client.Token).AsTask();
        await client.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        Assert.False(call.TimedOut);
    }

    [Fact]
    public async Task A_read_under_another_token_ends_when_that_token_is_cancelled()
    {
        var (call, body, _) = Open(TimeSpan.FromMinutes(5), CancellationToken.None);
        using var disposeCall = call;
        using var other = new CancellationTokenSource();

        var read = body.ReadAsync(new byte[16], other.Token).AsTask();
        await other.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        Assert.False(call.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task A_silent_upstream_ends_the_read_after_the_idle_timeout_and_each_read_restarts_it()
    {
        // Wide margins (each wait a fifth of the timeout): a loaded test machine may stall a step.
        var (call, body, upstream) = Open(TimeSpan.FromSeconds(2), CancellationToken.None);
        using var disposeCall = call;

        // Data arriving within the timeout, over one and a half times its length in all, keeps the call alive.
        await FeedAsync(body, upstream, reads: 8, every: TimeSpan.FromMilliseconds(400));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => body.ReadAsync(new byte[16], CancellationToken.None).AsTask());
        Assert.True(call.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task Reads_quicker_than_the_timers_slack_keep_the_call_alive_and_silence_is_cut_no_sooner_than_the_idle_time()
    {
        // The timer is re-armed once a slack (a quarter second here) has passed, not on every read:
        // a call whose timer was never re-armed would be cut 2.25 s in, well within these 4 s of data.
        var idle = TimeSpan.FromSeconds(2);
        Assert.Equal(TimeSpan.FromMilliseconds(250), UpstreamCall.Slack(idle));
        var (call, body, upstream) = Open(idle, CancellationToken.None);
        using var disposeCall = call;

        await FeedAsync(body, upstream, reads: 40, every: TimeSpan.FromMilliseconds(100));

        var silent = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => body.ReadAsync(new byte[16], CancellationToken.None).AsTask());

        // Timers count in the system's coarse ticks: allow them that much earlier.
        Assert.True(silent.Elapsed >= idle - TimeSpan.FromMilliseconds(50), $"cut after {silent.Elapsed}");
        Assert.True(call.Token.IsCancellationRequested);
    }

    [Theory]
    [InlineData(800, 100)]
    [InlineData(600_000, 1_000)]
    [InlineData(8, 1)]
    public void The_slack_is_an_eighth_of_the_idle_time_and_at_most_a_second(int idleMs, int slackMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(slackMs), UpstreamCall.Slack(TimeSpan.FromMilliseconds(idleMs)));

    /// <summary>Starts each read, then lets a byte arrive <paramref name="every"/> later; every read must get it.</summary>
    private static async Task FeedAsync(Stream body, PipeWriter upstream, int reads, TimeSpan every)
    {
        for (var i = 0; i < reads; i++)
        {
            var read = body.ReadAsync(new byte[16], CancellationToken.None).AsTask();
            await Task.Delay(every, TestContext.Current.CancellationToken);
            await upstream.WriteAsync("x"u8.ToArray(), TestContext.Current.CancellationToken);
            Assert.Equal(1, await read);
        }
    }

    private static (UpstreamCall Call, Stream Body, PipeWriter Upstream) Open(TimeSpan idle, CancellationToken caller)
    {
        var pipe = new Pipe();
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(caller);
        var call = new UpstreamCall(new HttpResponseMessage(), timeout, idle, TimeSpan.Zero, caller);
        return (call, new IdleTimeoutStream(pipe.Reader.AsStream(), call), pipe.Writer);
    }
}
