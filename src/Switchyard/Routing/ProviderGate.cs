namespace Switchyard.Routing;

/// <summary>
/// Back-pressure for a provider with <c>maxConcurrency</c>: at most that many requests in flight,
/// a bounded queue of waiters with a deadline, and an immediate refusal when the queue is full.
/// </summary>
internal sealed class ProviderGate(int maxConcurrency, int maxQueue) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(maxConcurrency, maxConcurrency);
    private int _waiting;

    public int MaxConcurrency { get; } = maxConcurrency;

    public int MaxQueue { get; } = maxQueue;

    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>A slot, or null when the queue is full or the wait passed <paramref name="timeout"/>.</summary>
    public async Task<IDisposable?> EnterAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_slots.Wait(0, CancellationToken.None))
        {
            return new Slot(_slots);
        }

        if (Interlocked.Increment(ref _waiting) > MaxQueue)
        {
            Interlocked.Decrement(ref _waiting);
            return null;
        }

        try
        {
            return await _slots.WaitAsync(timeout, cancellationToken) ? new Slot(_slots) : null;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
