namespace Switchyard.Auth;

/// <summary>
/// How many store lookups keys unknown to <see cref="KnownKeys"/> may cost: a bucket of
/// <see cref="Burst"/> that refills at <see cref="PerSecond"/>. Past it such a key is refused
/// without a lookup, so a flood of invented keys costs the store at most this rate.
/// </summary>
internal sealed class LookupBudget(TimeProvider time)
{
    public const int Burst = 50;
    public const double PerSecond = 20;

    private readonly Lock _lock = new();
    private double _tokens = Burst;
    private DateTimeOffset _last = time.GetUtcNow();

    public bool TryTake()
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var elapsed = (now - _last).TotalSeconds;
            if (elapsed > 0)
            {
                _tokens = Math.Min(Burst, _tokens + elapsed * PerSecond);
                _last = now;
            }

            if (_tokens < 1)
            {
                return false;
            }

            _tokens--;
            return true;
        }
    }
}
