namespace Switchyard.Routing;

/// <summary>Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter").</summary>
internal static class Backoff
{
    public static TimeSpan Delay(int retry, TimeSpan first, Random random)
    {
        var ceiling = first.TotalMilliseconds * Math.Pow(2, Math.Min(retry, 10));
        return TimeSpan.FromMilliseconds(ceiling / 2 + random.NextDouble() * ceiling / 2);
    }
}
