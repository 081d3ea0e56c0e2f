using Npgsql;
using NpgsqlTypes;
using Switchyard.Storage.Postgres;

namespace Switchyard.Limits;

/// <summary>
/// Counts limits in PostgreSQL so every gateway of a fleet shares them exactly. Admission is one
/// statement on the key's <c>key_state</c> row: an upsert whose <c>WHERE</c> re-checks every limit
/// against the row as the previous writer left it (READ COMMITTED re-evaluates it under the row
/// lock), so two gateways can never both take the last unit. Windows follow the database's clock,
/// not the gateways', so skewed hosts still agree on them.
/// </summary>
public sealed class PostgresRateLimitStore(PostgresDatabase database) : IRateLimitStore
{
    private const string Admit =
        """
        WITH now AS (SELECT extract(epoch FROM clock_timestamp())::double precision AS s)
        INSERT INTO key_state AS k (key_id, in_flight, window_start, window_requests, window_tokens, reserved)
        SELECT $1, CASE WHEN $4 IS NULL THEN 0 ELSE 1 END, (floor(now.s)::bigint / 60) * 60, 1, $6,
               CASE WHEN $5 IS NULL THEN 0 ELSE $7 END
        FROM now
        WHERE ($2 IS NULL OR 1 <= $2) AND ($3 IS NULL OR $6 <= $3) AND ($4 IS NULL OR 1 <= $4)
          AND ($5 IS NULL OR ($5 > 0 AND $5 >= $7))
        ON CONFLICT (key_id) DO UPDATE SET
            window_requests = CASE WHEN k.window_start >= excluded.window_start THEN k.window_requests ELSE 0 END + 1,
            window_tokens = CASE WHEN k.window_start >= excluded.window_start THEN k.window_tokens ELSE 0 END + $6,
            window_start = GREATEST(k.window_start, excluded.window_start),
            in_flight = k.in_flight + excluded.in_flight,
            reserved = k.reserved + excluded.reserved
        WHERE ($2 IS NULL OR CASE WHEN k.window_start >= excluded.window_start THEN k.window_requests ELSE 0 END + 1 <= $2)
          AND ($3 IS NULL OR CASE WHEN k.window_start >= excluded.window_start THEN k.window_tokens ELSE 0 END + $6 <= $3)
          AND ($4 IS NULL OR k.in_flight < $4)
          AND ($5 IS NULL OR ($5 - k.spent - k.reserved > 0 AND $5 - k.spent - k.reserved >= $7))
        RETURNING window_start, window_requests, window_tokens, (SELECT s FROM now);
        """;

    private const string Inspect =
        """
        SELECT window_start, window_requests, window_tokens, in_flight, spent, reserved, extract(epoch FROM clock_timestamp())::double precision
        FROM key_state WHERE key_id = $1;
        """;

    // The usual end: the reservation covered the cost, so the charge is the cost and nothing needs reading first.
    private const string Release =
        """
        UPDATE key_state SET
            in_flight = in_flight - $2,
            window_tokens = CASE WHEN window_start = $3 THEN GREATEST(0, window_tokens + $4) ELSE window_tokens END,
            reserved = reserved - $5 + $6
        WHERE key_id = $1;
        """;

    private const string Lock = "SELECT spent, reserved FROM key_state WHERE key_id = $1 FOR UPDATE;";

    public bool HoldsChargesUntilLedgered => true;

    public async ValueTask<AdmissionResult> TryAdmitAsync(Admission admission, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenCountersAsync(cancellationToken);

        // A refusal is diagnosed from a second read; if the row moved in between so the request
        // would now pass, try again rather than report a limit that no longer binds.
        for (var attempt = 0; ; attempt++)
        {
            await using (var admit = new NpgsqlCommand(Admit, connection))
            {
                AddLimits(admit, admission);
                await using var reader = await admit.ExecuteReaderAsync(cancellationToken);
                if (await reader.ReadAsync(cancellationToken))
                {
                    var windowStart = reader.GetInt64(0);
                    return new AdmissionResult(LimitRefusal.None, windowStart, reader.GetInt32(1), reader.GetInt64(2),
                        AdmissionResult.UntilEndOf(windowStart, reader.GetDouble(3)));
                }
            }

            await using var inspect = new NpgsqlCommand(Inspect, connection);
            inspect.Parameters.Add(new NpgsqlParameter { Value = admission.KeyId, NpgsqlDbType = NpgsqlDbType.Text });
            await using var state = await inspect.ExecuteReaderAsync(cancellationToken);
            if (!await state.ReadAsync(cancellationToken))
            {
                // No row, and the fresh-row check failed: the request alone exceeds a limit.
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
                var window = AdmissionResult.WindowOf((long)now);
                var alone = MemoryRateLimitStore.Check(admission, 0, 0, 0, 0, 0);
                return new AdmissionResult(alone == LimitRefusal.None ? LimitRefusal.Tokens : alone, window, 0, 0, AdmissionResult.UntilEndOf(window, now));
            }

            var seconds = state.GetDouble(6);
            var current = AdmissionResult.WindowOf((long)seconds);
            var rowWindow = state.GetInt64(0);
            var sameWindow = rowWindow >= current;
            var requests = sameWindow ? state.GetInt32(1) : 0;
            var tokens = sameWindow ? state.GetInt64(2) : 0;
            var refusal = MemoryRateLimitStore.Check(admission, requests, tokens, state.GetInt32(3), state.GetDecimal(4), state.GetDecimal(5));
            if (refusal != LimitRefusal.None || attempt >= 2)
            {
                var windowStart = Math.Max(rowWindow, current);
                return new AdmissionResult(refusal == LimitRefusal.None ? LimitRefusal.Concurrency : refusal, windowStart, requests, tokens,
                    AdmissionResult.UntilEndOf(windowStart, seconds));
            }
        }
    }

    public async ValueTask<decimal> ReleaseAsync(Admission admission, long windowStart, long tokensUsed, decimal cost, CancellationToken cancellationToken)
    {
        var held = admission.Credits is null ? 0m : admission.Cost;
        await using var connection = await database.OpenCountersAsync(cancellationToken);
        if (admission.Credits is not { } granted || cost <= admission.Cost)
        {
            await using var release = new NpgsqlCommand(Release, connection);
            AddRelease(release, admission, windowStart, tokensUsed, held, admission.Credits is null ? 0m : cost);
            await release.ExecuteNonQueryAsync(cancellationToken);
            return cost;
        }

        // The rare end: the real cost exceeded the worst case (an input estimate fell short). Charge
        // the excess only as far as the balance goes, deciding under the row's lock.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        decimal charged;
        await using (var lockRow = new NpgsqlCommand(Lock, connection, transaction))
        {
            lockRow.Parameters.Add(new NpgsqlParameter { Value = admission.KeyId, NpgsqlDbType = NpgsqlDbType.Text });
            await using var reader = await lockRow.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var available = granted - reader.GetDecimal(0) - reader.GetDecimal(1);
            charged = admission.Cost + Math.Min(cost - admission.Cost, Math.Max(0, available));
        }

        await using (var release = new NpgsqlCommand(Release, connection, transaction))
        {
            AddRelease(release, admission, windowStart, tokensUsed, held, charged);
            await release.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return charged;
    }

    private static void AddLimits(NpgsqlCommand command, Admission admission)
    {
        var p = command.Parameters;
        p.Add(new NpgsqlParameter { Value = admission.KeyId, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = (object?)admission.Rpm ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        p.Add(new NpgsqlParameter { Value = (object?)admission.Tpm ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        p.Add(new NpgsqlParameter { Value = (object?)admission.MaxConcurrent ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        p.Add(new NpgsqlParameter { Value = (object?)admission.Credits ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
        p.Add(new NpgsqlParameter { Value = admission.Tokens, NpgsqlDbType = NpgsqlDbType.Bigint });
        p.Add(new NpgsqlParameter { Value = admission.Cost, NpgsqlDbType = NpgsqlDbType.Numeric });
    }

    private static void AddRelease(NpgsqlCommand command, Admission admission, long windowStart, long tokensUsed, decimal held, decimal charged)
    {
        var p = command.Parameters;
        p.Add(new NpgsqlParameter { Value = admission.KeyId, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = admission.MaxConcurrent is null ? 0 : 1, NpgsqlDbType = NpgsqlDbType.Integer });
        p.Add(new NpgsqlParameter { Value = windowStart, NpgsqlDbType = NpgsqlDbType.Bigint });
        p.Add(new NpgsqlParameter { Value = tokensUsed - admission.Tokens, NpgsqlDbType = NpgsqlDbType.Bigint });
        p.Add(new NpgsqlParameter { Value = held, NpgsqlDbType = NpgsqlDbType.Numeric });
        p.Add(new NpgsqlParameter { Value = charged, NpgsqlDbType = NpgsqlDbType.Numeric });
    }
}
