using Dapper;

namespace Switchyard.Storage.Sqlite;

internal sealed class SqliteConversationStore(SqliteDatabase database) : IConversationStore
{
    public async Task SaveAsync(ConversationRecord record, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT OR REPLACE INTO responses (id, key_id, model, items, response, created_at, expires_at)
            VALUES (@Id, @KeyId, @Model, @Items, @Response, @CreatedAt, @ExpiresAt);
            """,
            new
            {
                record.Id,
                record.KeyId,
                record.Model,
                record.Items,
                record.Response,
                CreatedAt = SqliteKeyStore.Format(record.CreatedAt),
                ExpiresAt = SqliteKeyStore.Format(record.ExpiresAt),
            });
    }

    public async Task<ConversationRecord?> GetAsync(string id, string keyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            "SELECT id, key_id, model, items, response, created_at, expires_at FROM responses WHERE id = @id AND key_id = @keyId AND expires_at > @now;",
            new { id, keyId, now = SqliteKeyStore.Format(now) });
        return row is null ? null : new ConversationRecord
        {
            Id = row.Id,
            KeyId = row.KeyId,
            Model = row.Model,
            Items = row.Items ?? "[]",
            Response = row.Response,
            CreatedAt = DateTimeOffset.Parse(row.CreatedAt, System.Globalization.CultureInfo.InvariantCulture),
            ExpiresAt = DateTimeOffset.Parse(row.ExpiresAt, System.Globalization.CultureInfo.InvariantCulture),
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
        return await connection.ExecuteAsync("DELETE FROM responses WHERE expires_at <= @now;", new { now = SqliteKeyStore.Format(now) });
    }

    internal sealed class Row
    {
        public string Id { get; set; } = "";

        public string KeyId { get; set; } = "";

        public string Model { get; set; } = "";

        public string? Items { get; set; }

        public string Response { get; set; } = "";

        public string CreatedAt { get; set; } = "";

        public string ExpiresAt { get; set; } = "";
    }
}
