namespace Switchyard.Storage;

/// <summary>The request log bucketed by hour or day, for the console's charts.</summary>
internal interface IUsageTimeline
{
    /// <summary>
    /// Buckets from <paramref name="since"/> on that had requests, oldest first; of one key when
    /// <paramref name="keyId"/> is set, of one team's rows when <paramref name="teamId"/> is.
    /// </summary>
    Task<IReadOnlyList<TimelinePoint>> TimelineAsync(DateTimeOffset since, bool hourly, string? keyId, string? teamId, CancellationToken cancellationToken);
}
