namespace Switchyard.Limits;

/// <summary>
/// An admitted request's hold on its key's limits and credits, released exactly once when the
/// request ends. While it is finishing (its answer is on its way out), a refused request of the
/// same key waits for it: a client that sends its next request the moment it reads the last
/// byte must not be refused for a slot that is being handed back.
/// </summary>
internal sealed class KeyLease
{
    private readonly KeyLimiter _limiter;
    private readonly KeyLimiter.Finishing _finishing;
    private int _state;

    internal KeyLease(KeyLimiter limiter, KeyLimiter.Finishing finishing, Admission admission, long windowStart)
    {
        _limiter = limiter;
        _finishing = finishing;
        Admission = admission;
        WindowStart = windowStart;
    }

    public Admission Admission { get; }

    public long WindowStart { get; }

    /// <summary>The answer is complete or nearly so; a refused request of this key may wait for this lease.</summary>
    public void MarkFinishing()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) == 0)
        {
            _finishing.Add();
        }
    }

    /// <summary>Hands back the slot and settles the reservation to the whole cost.</summary>
    public async ValueTask<Settlement> ReleaseAsync(long tokensUsed, decimal cost, CancellationToken cancellationToken)
    {
        MarkFinishing();
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            throw new InvalidOperationException("A lease is released once.");
        }

        try
        {
            return await _limiter.Store.ReleaseAsync(Admission, WindowStart, tokensUsed, cost, cancellationToken);
        }
        finally
        {
            _finishing.Remove();
        }
    }
}
