using System.Globalization;
using Dapper;
using Switchyard.Dialects.Canonical;
using Switchyard.Metering;

namespace Switchyard.Storage.Sqlite;

/// <summary>The ledger and request log in SQLite: one row per request, costs in 1e-8 credit units.</summary>
public sealed class SqliteUsageLedger(SqliteDatabase database) : IUsageLedger
{
    private const decimal CostUnit = 100_000_000m;

    public async Task AppendAsync(IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = (Microsoft.Data.Sqlite.SqliteTransaction)transaction;
        command.CommandText =
            """
            INSERT INTO requests (request_id, client_request_id, key_id, model, deployment, surface, status, latency_ms, ttft_ms, attempts,
                input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_e8, day, created_at)
            VALUES ($id, $client, $key, $model, $deployment, $surface, $status, $latency, $ttft, $attempts,
                $input, $cached, $write, $output, $reasoning, $cost, $day, $created)
            ON CONFLICT (request_id) DO NOTHING;
            """;
        string[] names = ["$id", "$client", "$key", "$model", "$deployment", "$surface", "$status", "$latency", "$ttft", "$attempts",
            "$input", "$cached", "$write", "$output", "$reasoning", "$cost", "$day", "$created"];
        var parameters = names.Select(name => command.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter { ParameterName = name })).ToArray();
        foreach (var record in batch)
        {
            object?[] values =
            [
                record.RequestId, record.ClientRequestId, record.KeyId, record.Model, record.Deployment, record.Surface, record.Status,
                record.LatencyMs, record.TimeToFirstTokenMs, record.Attempts,
                record.Usage.InputTokens, record.Usage.CacheReadTokens, record.Usage.CacheWriteTokens, record.Usage.OutputTokens, record.Usage.ReasoningTokens,
                ToUnits(record.Cost), Day(record.CreatedAt), SqliteKeyStore.Format(record.CreatedAt),
            ];
            for (var i = 0; i < values.Length; i++)
            {
                parameters[i].Value = values[i] ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<decimal> SpentAsync(string keyId, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var units = await connection.ExecuteScalarAsync<long?>("SELECT SUM(cost_e8) FROM requests WHERE key_id = @keyId;", new { keyId });
        return (units ?? 0) / CostUnit;
    }

    public async Task<IReadOnlyDictionary<string, decimal>> SpentByKeyAsync(CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string KeyId, long Units)>("SELECT key_id, SUM(cost_e8) FROM requests GROUP BY key_id;");
        return rows.ToDictionary(r => r.KeyId, r => r.Units / CostUnit, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<UsageSummary>> SummarizeAsync(UsageFilter filter, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SummaryRow>(
            $"""
            SELECT day, key_id, model, COUNT(*) AS requests, SUM(input_tokens) AS input_tokens, SUM(cached_input_tokens) AS cached_input_tokens,
                SUM(cache_write_tokens) AS cache_write_tokens, SUM(output_tokens) AS output_tokens, SUM(reasoning_tokens) AS reasoning_tokens,
                SUM(cost_e8) AS cost_e8
            FROM requests {UsageFilterSql.Where(filter)}
            GROUP BY day, key_id, model
            ORDER BY day, key_id, model;
            """,
            Parameters(filter));
        return rows.Select(r => new UsageSummary(r.Day, r.KeyId, r.Model, r.Requests, r.InputTokens, r.CachedInputTokens,
            r.CacheWriteTokens, r.OutputTokens, r.ReasoningTokens, r.CostE8 / CostUnit)).ToList();
    }

    public async Task<IReadOnlyList<UsageRecord>> RecentAsync(UsageFilter filter, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RequestRow>(
            $"""
            SELECT request_id, client_request_id, key_id, model, deployment, surface, status, latency_ms, ttft_ms, attempts,
                input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_e8, created_at
            FROM requests {UsageFilterSql.Where(filter)}
            ORDER BY created_at DESC, rowid DESC
            LIMIT @Limit;
            """,
            Parameters(filter));
        return rows.Select(r => r.ToRecord()).ToList();
    }

    private static object Parameters(UsageFilter filter) => new
    {
        filter.KeyId,
        filter.Model,
        filter.Status,
        Since = filter.Since is { } since ? SqliteKeyStore.Format(since) : null,
        Until = filter.Until is { } until ? SqliteKeyStore.Format(until) : null,
        filter.Limit,
    };

    private static long ToUnits(decimal cost) => (long)Math.Round(cost * CostUnit, MidpointRounding.AwayFromZero);

    internal static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed class SummaryRow
    {
        public string Day { get; set; } = "";

        public string KeyId { get; set; } = "";

        public string Model { get; set; } = "";

        public long Requests { get; set; }

        public long InputTokens { get; set; }

        public long CachedInputTokens { get; set; }

        public long CacheWriteTokens { get; set; }

        public long OutputTokens { get; set; }

        public long ReasoningTokens { get; set; }

        public long CostE8 { get; set; }
    }

    private sealed class RequestRow
    {
        public string RequestId { get; set; } = "";

        public string? ClientRequestId { get; set; }

        public string KeyId { get; set; } = "";

        public string Model { get; set; } = "";

        public string? Deployment { get; set; }

        public string Surface { get; set; } = "";

        public long Status { get; set; }

        public double LatencyMs { get; set; }

        public double? TtftMs { get; set; }

        public long Attempts { get; set; }

        public long InputTokens { get; set; }

        public long CachedInputTokens { get; set; }

        public long CacheWriteTokens { get; set; }

        public long OutputTokens { get; set; }

        public long ReasoningTokens { get; set; }

        public long CostE8 { get; set; }

        public string CreatedAt { get; set; } = "";

        public UsageRecord ToRecord() => new()
        {
            RequestId = RequestId,
            ClientRequestId = ClientRequestId,
            KeyId = KeyId,
            Model = Model,
            Deployment = Deployment,
            Surface = Surface,
            Status = (int)Status,
            LatencyMs = LatencyMs,
            TimeToFirstTokenMs = TtftMs,
            Attempts = (int)Attempts,
            Usage = new Usage
            {
                InputTokens = InputTokens,
                CacheReadTokens = CachedInputTokens,
                CacheWriteTokens = CacheWriteTokens,
                OutputTokens = OutputTokens,
                ReasoningTokens = ReasoningTokens,
            },
            Cost = CostE8 / CostUnit,
            CreatedAt = DateTimeOffset.Parse(CreatedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        };
    }
}
