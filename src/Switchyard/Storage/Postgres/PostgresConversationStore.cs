using Dapper;

namespace Switchyard.Storage.Postgres;

/// <summary>Stored Responses conversations in PostgreSQL, so any gateway of a fleet can continue them.</summary>
internal sealed class PostgresConversationStore(PostgresDatabase database) : IConversationStore
{
    public async Task SaveAsync(ConversationRecord record, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO responses (id, key_id, model, items, response, created_at, expires_at)
            VALUES (@Id, @KeyId, @Model, @Items, @Response, @CreatedAt, @ExpiresAt)
            ON CONFLICT (id) DO UPDATE SET key_id = excluded.key_id, model = excluded.model, items = excluded.items,
                response = excluded.response, created_at = excluded.created_at, expires_at = excluded.expires_at;
            """,
            new
            {
                record.Id,
                record.KeyId,
                record.Model,
                record.Items,
                record.Response,
                CreatedAt = record.CreatedAt.UtcDateTime,
                ExpiresAt = record.ExpiresAt.UtcDateTime,
            });
    }

    public async Task<ConversationRecord?> GetAsync(string id, string keyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            "SELECT id, key_id, model, items, response, created_at, expires_at FROM responses WHERE id = @id AND key_id = @keyId AND expires_at > @now;",
            new { id, keyId, now = now.UtcDateTime });
        return row is null ? null : new ConversationRecord
        {
            Id = row.Id,
            KeyId = row.KeyId,
            Model = row.Model,
            Items = row.Items ?? "[]",
            Response = row.Response,
            CreatedAt = PostgresKeyStore.Utc(row.CreatedAt)!.Value,
            ExpiresAt = PostgresKeyStore.Utc(row.ExpiresAt)!.Value,
        };
    }

    public async Task<bool> DeleteAsync(string id, string keyId, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync("DELETE FROM responses WHERE id = @id AND key_id = @keyId;", new { id, keyId }) > 0;
    }

    public async Task<int> MoveKeyAsync(string fromKeyId, string toKeyId, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync("UPDATE responses SET key_id = @toKeyId WHERE key_id = @fromKeyId;", new { fromKeyId, toKeyId });
    }

    public async Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync("DELETE FROM responses WHERE expires_at <= @now;", new { now = now.UtcDateTime });
    }

    internal sealed class Row
    {
        public string Id { get; set; } = "";

        public string KeyId { get; set; } = "";

        public string Model { get; set; } = "";

        public string? Items { get; set; }

        public string Response { get; set; } = "";

        public DateTime CreatedAt { get; set; }

        public DateTime ExpiresAt { get; set; }
    }
}
