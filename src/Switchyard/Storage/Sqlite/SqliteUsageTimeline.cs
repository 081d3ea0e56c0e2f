using System.Globalization;
using Dapper;

namespace Switchyard.Storage.Sqlite;

/// <summary>Hours are the first 13 characters of the stored UTC time (<c>2025-01-31T14</c>), days the <c>day</c> column.</summary>
internal sealed class SqliteUsageTimeline(SqliteDatabase database) : IUsageTimeline
{
    public async Task<IReadOnlyList<TimelinePoint>> TimelineAsync(DateTimeOffset since, bool hourly, string? keyId, string? teamId, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var bucket = hourly ? "substr(created_at, 1, 13)" : "day";
        var rows = await connection.QueryAsync<Row>(
            $"""
            SELECT {bucket} AS bucket, COUNT(*) AS requests, SUM(status >= 400) AS errors,
                SUM(input_tokens + cached_input_tokens + cache_write_tokens + output_tokens + reasoning_tokens) AS tokens, SUM(cost_e8) AS cost_e8
            FROM requests WHERE created_at >= @since {(keyId is null ? "" : "AND key_id = @keyId")} {(teamId is null ? "" : "AND team_id = @teamId")}
            GROUP BY bucket ORDER BY bucket;
            """,
            new { since = SqliteKeyStore.Format(since), keyId, teamId });
        return rows.Select(r => new TimelinePoint(
            DateTimeOffset.ParseExact(r.Bucket, hourly ? "yyyy-MM-ddTHH" : "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            r.Requests, r.Errors, r.Tokens, r.CostE8 / 100_000_000m)).ToList();
    }

    internal sealed class Row
    {
        public string Bucket { get; set; } = "";

        public long Requests { get; set; }

        public long Errors { get; set; }

        public long Tokens { get; set; }

        public long CostE8 { get; set; }
    }
}
