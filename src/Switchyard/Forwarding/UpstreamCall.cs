namespace Switchyard.Forwarding;

/// <summary>
/// An upstream response whose headers have arrived, with the timer that bounds the wait for each
/// next read (an idle timeout, not a total one, so long generations are never cut).
/// </summary>
internal sealed class UpstreamCall : IDisposable
{
    /// <summary>The most an idle timeout's slack may be: how late past it a silent upstream can be cut.</summary>
    public static readonly TimeSpan MaxSlack = TimeSpan.FromSeconds(1);

    private const long CoarseTickMs = 16;

    private readonly CancellationTokenSource _timeout;
    private readonly TimeSpan _idle;
    private readonly TimeSpan _slack;

    // How long after an arming a read may skip the next: the slack less one tick of the coarse
    // clock it is measured with (Environment.TickCount64 moves in steps of up to ~16 ms, and costs
    // a quarter of a precise reading).
    private readonly long _skipMs;
    private long _armedAt;
    private bool _armed;

    internal UpstreamCall(HttpResponseMessage response, CancellationTokenSource timeout, TimeSpan idle, TimeSpan headersElapsed, CancellationToken caller)
    {
        Response = response;
        Caller = caller;
        _timeout = timeout;
        _idle = idle;
        _slack = Slack(idle);
        _skipMs = (long)_slack.TotalMilliseconds - CoarseTickMs;
        HeadersElapsed = headersElapsed;
    }

    public HttpResponseMessage Response { get; }

    /// <summary>Time from sending the request to the response headers.</summary>
    public TimeSpan HeadersElapsed { get; }

    /// <summary>Cancelled when the client goes away or the upstream stays silent past the idle timeout.</summary>
    public CancellationToken Token => _timeout.Token;

    /// <summary>The caller's token the call was linked to: a read under it needs no link of its own.</summary>
    public CancellationToken Caller { get; }

    public bool TimedOut { get; private set; }

    /// <summary>
    /// Restarts the idle timer; call before every read. The timer is armed for the idle time plus a
    /// slack and re-armed only once the slack has passed, so a read never waits less than the idle
    /// time (a silent upstream is cut at most the slack later) and a stream's frames do not each pay
    /// for rescheduling a timer — twice a frame, the relay's zero-byte wait and its read.
    /// </summary>
    public void Touch()
    {
        var now = Environment.TickCount64;
        if (_armed && now - _armedAt < _skipMs)
        {
            // Armed at _armedAt for idle + slack: that is still at least the idle time from now.
            return;
        }

        _armed = true;
        _armedAt = now;
        _timeout.CancelAfter(_idle + _slack);
    }

    /// <summary>An eighth of the idle time, at most <see cref="MaxSlack"/>.</summary>
    public static TimeSpan Slack(TimeSpan idle) => TimeSpan.FromTicks(Math.Min(idle.Ticks / 8, MaxSlack.Ticks));

    public async Task<Stream> OpenBodyAsync() =>
        new IdleTimeoutStream(await Response.Content.ReadAsStreamAsync(Token), this);

    internal void MarkTimedOut() => TimedOut = true;

    public void Dispose()
    {
        Response.Dispose();
        _timeout.Dispose();
    }
}
