using Dapper;

namespace Switchyard.Storage.Postgres;

internal sealed class PostgresUsageTimeline(PostgresDatabase database) : IUsageTimeline
{
    public async Task<IReadOnlyList<TimelinePoint>> TimelineAsync(DateTimeOffset since, bool hourly, string? keyId, string? teamId, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var bucket = hourly ? "date_trunc('hour', created_at AT TIME ZONE 'UTC')" : "day::timestamp";
        var rows = await connection.QueryAsync<Row>(
            $"""
            SELECT {bucket} AS bucket, COUNT(*) AS requests, COUNT(*) FILTER (WHERE status >= 400) AS errors,
                SUM(input_tokens + cached_input_tokens + cache_write_tokens + output_tokens + reasoning_tokens)::bigint AS tokens, SUM(cost) AS cost
            FROM requests WHERE created_at >= @since {(keyId is null ? "" : "AND key_id = @keyId")} {(teamId is null ? "" : "AND team_id = @teamId")}
            GROUP BY bucket ORDER BY bucket;
            """,
            new { since = since.UtcDateTime, keyId, teamId });
        return rows.Select(r => new TimelinePoint(new DateTimeOffset(DateTime.SpecifyKind(r.Bucket, DateTimeKind.Utc)), r.Requests, r.Errors, r.Tokens, r.Cost)).ToList();
    }

    internal sealed class Row
    {
        public DateTime Bucket { get; set; }

        public long Requests { get; set; }

        public long Errors { get; set; }

        public long Tokens { get; set; }

        public decimal Cost { get; set; }
    }
}
