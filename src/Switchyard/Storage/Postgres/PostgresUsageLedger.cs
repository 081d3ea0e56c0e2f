using Dapper;
using Npgsql;
using NpgsqlTypes;
using Switchyard.Dialects.Canonical;
using Switchyard.Metering;

namespace Switchyard.Storage.Postgres;

/// <summary>
/// The ledger and request log in PostgreSQL. A batch is one transaction: its rows are inserted
/// (a request id already present is skipped), and only the rows actually inserted move their
/// cost into the key's <c>key_state.spent</c>, and into its team's (a row under the team's id);
/// the part of a cost that was held in a gateway's lease row (see
/// <see cref="PostgresRateLimitStore"/>) leaves the reservation with it. So the
/// spent total always equals the ledger's sum, and a retried or replayed batch charges nothing twice.
/// </summary>
internal sealed class PostgresUsageLedger(PostgresDatabase database, PostgresRateLimitStore? leases = null) : IUsageLedger
{
    public async Task AppendAsync(IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO requests (request_id, client_request_id, key_id, model, deployment, surface, status, latency_ms, ttft_ms, attempts,
                input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost, day, created_at, queue_ms, upstream_ms, team_id)
            SELECT * FROM unnest(@id, @client, @key, @model, @deployment, @surface, @status, @latency, @ttft, @attempts,
                @input, @cached, @write, @output, @reasoning, @cost, @day, @created, @queue, @upstream, @team)
            ON CONFLICT (request_id) DO NOTHING
            RETURNING request_id;
            """, connection, transaction))
        {
            var p = insert.Parameters;
            p.Add(new NpgsqlParameter("id", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(r => r.RequestId).ToArray() });
            p.Add(new NpgsqlParameter("client", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(r => (object?)r.ClientRequestId ?? DBNull.Value).ToArray() });
            p.Add(new NpgsqlParameter("key", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(r => r.KeyId).ToArray() });
            p.Add(new NpgsqlParameter("model", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(r => r.Model).ToArray() });
            p.Add(new NpgsqlParameter("deployment", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(r => (object?)r.Deployment ?? DBNull.Value).ToArray() });
            p.Add(new NpgsqlParameter("surface", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(r => r.Surface).ToArray() });
            p.Add(new NpgsqlParameter("status", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = batch.Select(r => r.Status).ToArray() });
            p.Add(new NpgsqlParameter("latency", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = batch.Select(r => r.LatencyMs).ToArray() });
            p.Add(new NpgsqlParameter("ttft", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = batch.Select(r => (object?)r.TimeToFirstTokenMs ?? DBNull.Value).ToArray() });
            p.Add(new NpgsqlParameter("attempts", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = batch.Select(r => r.Attempts).ToArray() });
            p.Add(new NpgsqlParameter("input", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = batch.Select(r => r.Usage.InputTokens).ToArray() });
            p.Add(new NpgsqlParameter("cached", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = batch.Select(r => r.Usage.CacheReadTokens).ToArray() });
            p.Add(new NpgsqlParameter("write", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = batch.Select(r => r.Usage.CacheWriteTokens).ToArray() });
            p.Add(new NpgsqlParameter("output", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = batch.Select(r => r.Usage.OutputTokens).ToArray() });
            p.Add(new NpgsqlParameter("reasoning", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = batch.Select(r => r.Usage.ReasoningTokens).ToArray() });
            p.Add(new NpgsqlParameter("cost", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = batch.Select(r => r.Cost).ToArray() });
            p.Add(new NpgsqlParameter("day", NpgsqlDbType.Array | NpgsqlDbType.Date) { Value = batch.Select(r => DateOnly.FromDateTime(r.CreatedAt.UtcDateTime)).ToArray() });
            p.Add(new NpgsqlParameter("created", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = batch.Select(r => r.CreatedAt.UtcDateTime).ToArray() });
            p.Add(new NpgsqlParameter("queue", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = batch.Select(r => (object?)r.QueueMs ?? DBNull.Value).ToArray() });
            p.Add(new NpgsqlParameter("upstream", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = batch.Select(r => (object?)r.UpstreamMs ?? DBNull.Value).ToArray() });
            p.Add(new NpgsqlParameter("team", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(r => (object?)r.TeamId ?? DBNull.Value).ToArray() });
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                inserted.Add(reader.GetString(0));
            }
        }

        // Each charge goes to its key's counters and, for a key in a team, to the team's (a
        // key_state row under the team's id), summed per id in id order, so two gateways' batches
        // lock key_state rows in the same order; what part of it a lease held, per holder.
        var charges = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
        var held = new Dictionary<(string KeyId, Guid Holder), decimal>();
        foreach (var row in batch)
        {
            if (row.Cost == 0 || !inserted.Contains(row.RequestId))
            {
                continue;
            }

            Charge(row.KeyId, row.Cost, row.HeldCharge, row.HeldBy);
            if (row.TeamId is { } team)
            {
                Charge(team, row.Cost, row.TeamHeldCharge, row.TeamHeldBy);
            }
        }

        var fromLease = new HashSet<(string KeyId, Guid Holder)>();
        if (charges.Count > 0)
        {
            var keys = charges.Keys.ToArray();

            // key_state rows first, in key order: the lock order of every writer of leases and counters.
            await connection.ExecuteAsync("SELECT 1 FROM key_state WHERE key_id = ANY(@keys) ORDER BY key_id FOR UPDATE;", new { keys }, transaction);

            // A held charge sits in its holder's lease row; it leaves the lease as it becomes spent.
            // A lease already reclaimed gave its credits back, so its charges only add to spent.
            if (held.Count > 0)
            {
                var rows = await connection.QueryAsync<LeaseRow>(
                    """
                    UPDATE key_leases l SET credits = l.credits - c.h
                    FROM unnest(@keys, @holders, @held) AS c(k, o, h)
                    WHERE l.key_id = c.k AND l.holder = c.o
                    RETURNING l.key_id, l.holder;
                    """,
                    new { keys = held.Keys.Select(h => h.KeyId).ToArray(), holders = held.Keys.Select(h => h.Holder).ToArray(), held = held.Values.ToArray() },
                    transaction);
                fromLease.UnionWith(rows.Select(row => (row.KeyId, row.Holder)));
            }

            // The whole cost becomes spent; only the part that was held leaves the reservation.
            var leftLeases = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var ((keyId, holder), amount) in held)
            {
                if (fromLease.Contains((keyId, holder)))
                {
                    leftLeases[keyId] = leftLeases.GetValueOrDefault(keyId) + amount;
                }
            }

            await connection.ExecuteAsync(
                """
                INSERT INTO key_state (key_id, spent, reserved)
                SELECT k, s, -h FROM unnest(@keys, @spent, @held) AS c(k, s, h) ORDER BY k
                ON CONFLICT (key_id) DO UPDATE SET
                    spent = key_state.spent + excluded.spent,
                    reserved = key_state.reserved + excluded.reserved;
                """,
                new
                {
                    keys,
                    spent = charges.Values.ToArray(),
                    held = keys.Select(key => leftLeases.GetValueOrDefault(key)).ToArray(),
                },
                transaction);
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var ((keyId, holder), amount) in held)
        {
            leases?.Ledgered(keyId, amount, holder, fromLease.Contains((keyId, holder)));
        }

        void Charge(string id, decimal cost, decimal heldCharge, Guid? heldBy)
        {
            charges[id] = charges.GetValueOrDefault(id) + cost;
            if (heldCharge != 0 && heldBy is { } holder)
            {
                held[(id, holder)] = held.GetValueOrDefault((id, holder)) + heldCharge;
            }
        }
    }

    public async Task<int> MoveKeyAsync(string fromKeyId, string toKeyId, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // key_state rows in key order, the lock order of every writer of counters.
        var keys = new[] { fromKeyId, toKeyId };
        await connection.ExecuteAsync("SELECT 1 FROM key_state WHERE key_id = ANY(@keys) ORDER BY key_id FOR UPDATE;", new { keys }, transaction);
        var moved = await connection.ExecuteAsync("UPDATE requests SET key_id = @toKeyId WHERE key_id = @fromKeyId;", new { fromKeyId, toKeyId }, transaction);
        var spent = await connection.ExecuteScalarAsync<decimal?>("SELECT spent FROM key_state WHERE key_id = @fromKeyId;", new { fromKeyId }, transaction) ?? 0m;
        if (spent != 0)
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO key_state (key_id, spent) VALUES (@toKeyId, @spent)
                ON CONFLICT (key_id) DO UPDATE SET spent = key_state.spent + excluded.spent;
                UPDATE key_state SET spent = 0 WHERE key_id = @fromKeyId;
                """,
                new { fromKeyId, toKeyId, spent },
                transaction);
        }

        await transaction.CommitAsync(cancellationToken);
        return moved;
    }

    public async Task<decimal> SpentAsync(string keyId, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<decimal?>("SELECT spent FROM key_state WHERE key_id = @keyId;", new { keyId }) ?? 0m;
    }

    public async Task<IReadOnlyDictionary<string, decimal>> SpentByKeyAsync(CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SpentRow>(
            "SELECT key_id, spent FROM key_state WHERE spent <> 0 AND NOT starts_with(key_id, @prefix);", new { prefix = TeamIds.Prefix });
        return rows.ToDictionary(r => r.KeyId, r => r.Spent, StringComparer.Ordinal);
    }

    /// <summary>A team's spending is its key_state row, moved there by the ledger with each charged row.</summary>
    public Task<decimal> TeamSpentAsync(string teamId, CancellationToken cancellationToken) => SpentAsync(teamId, cancellationToken);

    public async Task<IReadOnlyDictionary<string, decimal>> SpentByTeamAsync(CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SpentRow>(
            "SELECT key_id, spent FROM key_state WHERE spent <> 0 AND starts_with(key_id, @prefix);", new { prefix = TeamIds.Prefix });
        return rows.ToDictionary(r => r.KeyId, r => r.Spent, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<UsageSummary>> SummarizeAsync(UsageFilter filter, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SummaryRow>(
            $"""
            SELECT day, key_id, model, team_id, COUNT(*) AS requests, SUM(input_tokens)::bigint AS input_tokens, SUM(cached_input_tokens)::bigint AS cached_input_tokens,
                SUM(cache_write_tokens)::bigint AS cache_write_tokens, SUM(output_tokens)::bigint AS output_tokens,
                SUM(reasoning_tokens)::bigint AS reasoning_tokens, SUM(cost) AS cost
            FROM requests {UsageFilterSql.Where(filter)}
            GROUP BY day, key_id, model, team_id
            ORDER BY day, key_id, model, team_id;
            """,
            UsageFilterSql.Arguments(filter, static at => at.UtcDateTime));
        return rows.Select(r => new UsageSummary(r.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), r.KeyId, r.Model,
            r.Requests, r.InputTokens, r.CachedInputTokens, r.CacheWriteTokens, r.OutputTokens, r.ReasoningTokens, r.Cost, r.TeamId)).ToList();
    }

    public async Task<IReadOnlyList<UsageRecord>> RecentAsync(UsageFilter filter, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RequestRow>(
            $"""
            SELECT request_id, client_request_id, key_id, team_id, model, deployment, surface, status, latency_ms, ttft_ms, attempts,
                input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost, created_at, queue_ms, upstream_ms
            FROM requests {UsageFilterSql.Where(filter)}
            ORDER BY created_at DESC, request_id DESC
            LIMIT @Limit OFFSET @Offset;
            """,
            UsageFilterSql.Arguments(filter, static at => at.UtcDateTime));
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>A lease a held charge left.</summary>
    internal sealed class LeaseRow
    {
        public string KeyId { get; set; } = "";

        public Guid Holder { get; set; }
    }

    /// <summary>A key's or team's spending (a team's key_state row is keyed by its prefixed id).</summary>
    internal sealed class SpentRow
    {
        public string KeyId { get; set; } = "";

        public decimal Spent { get; set; }
    }

    internal sealed class SummaryRow
    {
        public DateTime Day { get; set; }

        public string KeyId { get; set; } = "";

        public string Model { get; set; } = "";

        public string? TeamId { get; set; }

        public long Requests { get; set; }

        public long InputTokens { get; set; }

        public long CachedInputTokens { get; set; }

        public long CacheWriteTokens { get; set; }

        public long OutputTokens { get; set; }

        public long ReasoningTokens { get; set; }

        public decimal Cost { get; set; }
    }

    internal sealed class RequestRow
    {
        public string RequestId { get; set; } = "";

        public string? ClientRequestId { get; set; }

        public string KeyId { get; set; } = "";

        public string? TeamId { get; set; }

        public string Model { get; set; } = "";

        public string? Deployment { get; set; }

        public string Surface { get; set; } = "";

        public int Status { get; set; }

        public double LatencyMs { get; set; }

        public double? TtftMs { get; set; }

        public int Attempts { get; set; }

        public long InputTokens { get; set; }

        public long CachedInputTokens { get; set; }

        public long CacheWriteTokens { get; set; }

        public long OutputTokens { get; set; }

        public long ReasoningTokens { get; set; }

        public decimal Cost { get; set; }

        public DateTime CreatedAt { get; set; }

        public double? QueueMs { get; set; }

        public double? UpstreamMs { get; set; }

        public UsageRecord ToRecord() => new()
        {
            RequestId = RequestId,
            ClientRequestId = ClientRequestId,
            KeyId = KeyId,
            TeamId = TeamId,
            Model = Model,
            Deployment = Deployment,
            Surface = Surface,
            Status = Status,
            LatencyMs = LatencyMs,
            TimeToFirstTokenMs = TtftMs,
            Attempts = Attempts,
            QueueMs = QueueMs,
            UpstreamMs = UpstreamMs,
            Usage = new Usage
            {
                InputTokens = InputTokens,
                CacheReadTokens = CachedInputTokens,
                CacheWriteTokens = CacheWriteTokens,
                OutputTokens = OutputTokens,
                ReasoningTokens = ReasoningTokens,
            },
            Cost = Cost,
            CreatedAt = PostgresKeyStore.Utc(CreatedAt)!.Value,
        };
    }
}
