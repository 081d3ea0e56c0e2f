using Switchyard.Metering;

namespace Switchyard.Storage;

/// <summary>
/// The append-only ledger and request log: one row per request. Written off the hot path in
/// batches; a key's credits spent are the sum of its rows' costs.
/// </summary>
internal interface IUsageLedger
{
    /// <summary>
    /// Appends the batch in one transaction; rows whose request id is already present are skipped,
    /// so a batch retried after a failure never charges twice.
    /// </summary>
    Task AppendAsync(IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a key's rows and credits spent from one id to another (a configuration key's id
    /// changed with the release that stopped deriving it from the secret); returns the rows moved.
    /// </summary>
    Task<int> MoveKeyAsync(string fromKeyId, string toKeyId, CancellationToken cancellationToken);

    /// <summary>Credits spent by one key: the sum of its rows' costs.</summary>
    Task<decimal> SpentAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>Credits spent per key, for every key with charges.</summary>
    Task<IReadOnlyDictionary<string, decimal>> SpentByKeyAsync(CancellationToken cancellationToken);

    /// <summary>Credits spent by one team: the sum of the costs of the rows charged to it.</summary>
    Task<decimal> TeamSpentAsync(string teamId, CancellationToken cancellationToken);

    /// <summary>Credits spent per team, for every team with charges.</summary>
    Task<IReadOnlyDictionary<string, decimal>> SpentByTeamAsync(CancellationToken cancellationToken);

    /// <summary>Usage per day, key, model and team (docs/admin-api.md <c>GET /admin/usage</c>), oldest day first.</summary>
    Task<IReadOnlyList<UsageSummary>> SummarizeAsync(UsageFilter filter, CancellationToken cancellationToken);

    /// <summary>Request-log rows, newest first.</summary>
    Task<IReadOnlyList<UsageRecord>> RecentAsync(UsageFilter filter, CancellationToken cancellationToken);
}
