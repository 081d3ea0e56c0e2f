namespace Switchyard.Dialects.Json;

/// <summary>An upstream's Unix timestamp (<c>created</c>, <c>created_at</c>) as a time: one that is missing, not positive or past the year 9999 reads as now.</summary>
internal static class UnixSeconds
{
    private static readonly long Max = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public static DateTimeOffset ToTime(long seconds) =>
        seconds > 0 && seconds <= Max ? DateTimeOffset.FromUnixTimeSeconds(seconds) : DateTimeOffset.UtcNow;
}
