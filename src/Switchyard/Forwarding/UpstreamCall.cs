namespace Switchyard.Forwarding;

/// <summary>
/// An upstream response whose headers have arrived, with the timer that bounds the wait for each
/// next read (an idle timeout, not a total one, so long generations are never cut).
/// </summary>
internal sealed class UpstreamCall : IDisposable
{
    private readonly CancellationTokenSource _timeout;
    private readonly TimeSpan _idle;

    internal UpstreamCall(HttpResponseMessage response, CancellationTokenSource timeout, TimeSpan idle, TimeSpan headersElapsed, CancellationToken caller)
    {
        Response = response;
        Caller = caller;
        _timeout = timeout;
        _idle = idle;
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

    /// <summary>Restarts the idle timer; call before every read.</summary>
    public void Touch() => _timeout.CancelAfter(_idle);

    public async Task<Stream> OpenBodyAsync() =>
        new IdleTimeoutStream(await Response.Content.ReadAsStreamAsync(Token), this);

    internal void MarkTimedOut() => TimedOut = true;

    public void Dispose()
    {
        Response.Dispose();
        _timeout.Dispose();
    }
}
