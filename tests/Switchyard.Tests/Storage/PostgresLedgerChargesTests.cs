using Npgsql;
using Switchyard.Metering;
using Switchyard.Storage.Postgres;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Storage;

/// <summary>
/// What one ledger batch charges on PostgreSQL: each key's and each team's costs summed into
/// <c>key_state.spent</c>; the part a live lease held leaves the lease and the reservation; a
/// lease already reclaimed only adds to spent; a row already in the ledger is not charged again.
/// </summary>
public sealed class PostgresLedgerChargesTests
{
    private static readonly Guid Live = Guid.NewGuid();
    private static readonly Guid Reclaimed = Guid.NewGuid();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_batch_charges_every_key_and_team_once_and_moves_what_live_leases_held()
    {
        await using var postgres = await TestPostgres.CreateAsync();
        await using var database = new PostgresDatabase(postgres.ConnectionString);
        await database.MigrateAsync(Cancel);
        await ExecuteAsync(postgres, $"""
            INSERT INTO lease_holders (holder, expires_at) VALUES ('{Live}', now() + interval '1 hour');
            INSERT INTO key_leases (key_id, holder, credits) VALUES ('a', '{Live}', 0.5), ('team_t', '{Live}', 0.2);
            INSERT INTO key_state (key_id, reserved) VALUES ('a', 0.5), ('team_t', 0.2);
            """);
        var ledger = new PostgresUsageLedger(database);
        UsageRecord[] batch =
        [
            Row("r1", "a", 0.1m, held: 0.1m, heldBy: Live),
            Row("r2", "a", 0.2m, held: 0.05m, heldBy: Live),
            Row("r3", "b", 0.3m) with { TeamId = "team_t", TeamHeldCharge = 0.15m, TeamHeldBy = Live },
            Row("r4", "a", 0m),
            Row("r5", "c", 0.4m, held: 0.4m, heldBy: Reclaimed),
        ];

        await ledger.AppendAsync(batch, Cancel);
        // A batch written again (a spool replayed after a write that landed late) charges nothing more.
        await ledger.AppendAsync([batch[0], batch[2]], Cancel);

        Assert.Equal(5, await postgres.ScalarAsync<int>("SELECT count(*) FROM requests"));
        Assert.Equal(0.3m, await postgres.ScalarAsync<decimal>("SELECT spent FROM key_state WHERE key_id = 'a'"));
        Assert.Equal(0.3m, await postgres.ScalarAsync<decimal>("SELECT spent FROM key_state WHERE key_id = 'b'"));
        Assert.Equal(0.3m, await postgres.ScalarAsync<decimal>("SELECT spent FROM key_state WHERE key_id = 'team_t'"));
        Assert.Equal(0.4m, await postgres.ScalarAsync<decimal>("SELECT spent FROM key_state WHERE key_id = 'c'"));
        Assert.Equal(0.35m, await postgres.ScalarAsync<decimal>("SELECT reserved FROM key_state WHERE key_id = 'a'"));
        Assert.Equal(0.05m, await postgres.ScalarAsync<decimal>("SELECT reserved FROM key_state WHERE key_id = 'team_t'"));
        Assert.Equal(0m, await postgres.ScalarAsync<decimal>("SELECT reserved FROM key_state WHERE key_id = 'c'"));
        Assert.Equal(0.35m, await postgres.ScalarAsync<decimal>($"SELECT credits FROM key_leases WHERE key_id = 'a' AND holder = '{Live}'"));
        Assert.Equal(0.05m, await postgres.ScalarAsync<decimal>($"SELECT credits FROM key_leases WHERE key_id = 'team_t' AND holder = '{Live}'"));
    }

    private static UsageRecord Row(string id, string keyId, decimal cost, decimal held = 0m, Guid? heldBy = null) => new()
    {
        RequestId = id,
        KeyId = keyId,
        Model = "gpt-test",
        Surface = "chat",
        Status = 200,
        Cost = cost,
        HeldCharge = held,
        HeldBy = heldBy,
        CreatedAt = DateTimeOffset.UtcNow,
    };

    private static async Task ExecuteAsync(TestPostgres postgres, string sql)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Cancel);
    }
}
