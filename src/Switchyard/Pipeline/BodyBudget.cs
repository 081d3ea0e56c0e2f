namespace Switchyard.Pipeline;

/// <summary>
/// The bytes of every request body being read at once, bounded by <c>limits.maxBufferedBytes</c>:
/// each read takes its bytes from the budget and the request gives them all back once its body is
/// read (or it fails), so slow or large uploads together hold at most the bound.
/// </summary>
internal sealed class BodyBudget
{
    private long _inUse;

    public long InUse => Volatile.Read(ref _inUse);

    /// <summary>Takes <paramref name="bytes"/> unless that would pass <paramref name="max"/>.</summary>
    public bool TryTake(long bytes, long max)
    {
        if (Interlocked.Add(ref _inUse, bytes) <= max)
        {
            return true;
        }

        Interlocked.Add(ref _inUse, -bytes);
        return false;
    }

    public void Return(long bytes) => Interlocked.Add(ref _inUse, -bytes);
}
