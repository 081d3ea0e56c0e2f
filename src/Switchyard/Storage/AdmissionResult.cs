namespace Switchyard.Storage;

/// <summary>
/// The answer of a rate-limit store: admitted or which limit refused, and the state of the key's
/// current one-minute window (after this request when admitted), for the <c>x-ratelimit-*</c> headers.
/// </summary>
internal readonly record struct AdmissionResult(
    LimitRefusal Refusal,
    long WindowStart,
    int RequestsUsed,
    long TokensUsed,
    TimeSpan UntilReset)
{
    public bool Admitted => Refusal == LimitRefusal.None;

    /// <summary>Windows are whole minutes of Unix time, so every process (and PostgreSQL) agrees on them.</summary>
    public const int WindowSeconds = 60;

    public static long WindowOf(long unixSeconds) => unixSeconds - (unixSeconds % WindowSeconds);

    public static TimeSpan UntilEndOf(long windowStart, double nowUnixSeconds) =>
        TimeSpan.FromSeconds(Math.Clamp(windowStart + WindowSeconds - nowUnixSeconds, 0, WindowSeconds));
}
