using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Switchyard.Storage.Sqlite;

/// <summary>The SQLite store (the default for one process on a laptop).</summary>
internal sealed class SqliteKeyStore(SqliteDatabase database) : IKeyStore
{
    public Task InitializeAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    public async Task<KeyRecord?> FindByHashAsync(string hash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(Select + " WHERE hash = @hash;", new { hash });
        return row?.ToRecord();
    }

    public async Task<KeyRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(Select + " WHERE id = @id;", new { id });
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<KeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<KeyRow>(Select + " ORDER BY created_at, id;");
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyList<(string Hash, DateTimeOffset CreatedAt)>> ListHashesAsync(DateTimeOffset? since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<HashRow>(
            "SELECT hash, created_at FROM keys WHERE revoked_at IS NULL AND (@since IS NULL OR created_at >= @since);",
            new { since = since is { } at ? Format(at) : null });
        return rows.Select(r => (r.Hash, Parse(r.CreatedAt) ?? DateTimeOffset.UnixEpoch)).ToList();
    }

    public async Task<bool> InsertAsync(KeyRecord key, CancellationToken cancellationToken)
    {
        // One statement: the team is checked where the key is written, so a team deleted meanwhile is never named.
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            """
            INSERT INTO keys (id, name, prefix, hash, allowed_models, rpm, tpm, max_concurrent, credits, expires_at, created_at, revoked_at, team_id)
            SELECT @Id, @Name, @Prefix, @Hash, @AllowedModels, @Rpm, @Tpm, @MaxConcurrent, @Credits, @ExpiresAt, @CreatedAt, NULL, @TeamId
            WHERE @TeamId IS NULL OR EXISTS (SELECT 1 FROM teams WHERE id = @TeamId);
            """,
            KeyRow.From(key)) == 1;
    }

    public async Task<KeyRecord?> UpdateAsync(string id, KeyChanges changes, CancellationToken cancellationToken)
    {
        if (changes.None)
        {
            return await GetAsync(id, cancellationToken);
        }

        // The row's members carry the values; only those the statement names are bound.
        var sets = new SetClause();
        var values = new KeyRow { Id = id };
        sets.Add(changes.Name, "name", nameof(KeyRow.Name), name => values.Name = name);
        sets.Add(changes.AllowedModels, "allowed_models", nameof(KeyRow.AllowedModels), models => values.AllowedModels = models is null ? null : JsonSerializer.Serialize(models.ToList(), StorageJsonContext.Default.ListString));
        sets.Add(changes.Rpm, "rpm", nameof(KeyRow.Rpm), rpm => values.Rpm = rpm);
        sets.Add(changes.Tpm, "tpm", nameof(KeyRow.Tpm), tpm => values.Tpm = tpm);
        sets.Add(changes.MaxConcurrent, "max_concurrent", nameof(KeyRow.MaxConcurrent), slots => values.MaxConcurrent = slots);
        sets.Add(changes.Credits, "credits", nameof(KeyRow.Credits), credits => values.Credits = credits?.ToString(CultureInfo.InvariantCulture));
        sets.Add(changes.Team, "team_id", nameof(KeyRow.TeamId), team => values.TeamId = team);
        sets.Add(changes.ExpiresAt, "expires_at", nameof(KeyRow.ExpiresAt), expires => values.ExpiresAt = expires is { } at ? Format(at) : null);

        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(
            $"UPDATE keys SET {sets} WHERE id = @Id {TeamExists(changes)} RETURNING {Columns};", values);
        return row?.ToRecord();
    }

    public async Task<KeyRecord?> AddCreditsAsync(string id, decimal amount, CancellationToken cancellationToken)
    {
        // Credits are exact decimal text, which SQLite cannot add: read and write in one write
        // transaction (BEGIN IMMEDIATE takes the write lock first, so concurrent top-ups serialise).
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var current = await connection.QuerySingleOrDefaultAsync<KeyRow>(Select + " WHERE id = @id;", new { id }, transaction);
        if (current is null)
        {
            return null;
        }

        var granted = (current.Credits is null ? 0m : decimal.Parse(current.Credits, CultureInfo.InvariantCulture)) + amount;
        await connection.ExecuteAsync(
            "UPDATE keys SET credits = @credits WHERE id = @id;",
            new { id, credits = granted.ToString(CultureInfo.InvariantCulture) },
            transaction);
        await transaction.CommitAsync(cancellationToken);
        return current.ToRecord() with { Credits = granted };
    }

    public async Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(
            "UPDATE keys SET revoked_at = COALESCE(revoked_at, @at) WHERE id = @id;",
            new { id, at = Format(at) });
        return changed > 0;
    }

    public async Task<string?> GetSettingAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>("SELECT value FROM settings WHERE name = @name;", new { name });
    }

    public async Task<string> SetSettingIfAbsentAsync(string name, string value, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync("INSERT INTO settings (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING;", new { name, value });
        return await connection.ExecuteScalarAsync<string>("SELECT value FROM settings WHERE name = @name;", new { name }) ?? value;
    }

    private Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => database.OpenAsync(cancellationToken);

    private const string Columns = "id, name, prefix, hash, allowed_models, rpm, tpm, max_concurrent, credits, expires_at, created_at, revoked_at, team_id";

    private const string Select = "SELECT " + Columns + " FROM keys";

    /// <summary>A key is moved only into a team that exists, checked in the statement that moves it.</summary>
    private static string TeamExists(KeyChanges changes) =>
        changes.Team is { Set: true, Value: not null } ? "AND EXISTS (SELECT 1 FROM teams WHERE teams.id = @TeamId)" : "";

    internal static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? Parse(string? value) =>
        value is null ? null : DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>A key's hash and when it was made (ISO 8601 text), for the key cache.</summary>
    internal sealed class HashRow
    {
        public string Hash { get; set; } = "";

        public string CreatedAt { get; set; } = "";
    }

    /// <summary>The row as stored: times as ISO 8601 text, credits as invariant decimal text, the allow-list as a JSON array.</summary>
    internal sealed class KeyRow
    {
        public string Id { get; set; } = "";

        public string Name { get; set; } = "";

        public string Prefix { get; set; } = "";

        public string Hash { get; set; } = "";

        public string? AllowedModels { get; set; }

        public long? Rpm { get; set; }

        public long? Tpm { get; set; }

        public long? MaxConcurrent { get; set; }

        public string? Credits { get; set; }

        public string? ExpiresAt { get; set; }

        public string CreatedAt { get; set; } = "";

        public string? RevokedAt { get; set; }

        public string? TeamId { get; set; }

        public KeyRecord ToRecord() => new()
        {
            Id = Id,
            Name = Name,
            Prefix = Prefix,
            Hash = Hash,
            AllowedModels = AllowedModels is null ? null : JsonSerializer.Deserialize(AllowedModels, StorageJsonContext.Default.ListString),
            Rpm = (int?)Rpm,
            Tpm = (int?)Tpm,
            MaxConcurrent = (int?)MaxConcurrent,
            Credits = Credits is null ? null : decimal.Parse(Credits, CultureInfo.InvariantCulture),
            ExpiresAt = Parse(ExpiresAt),
            CreatedAt = Parse(CreatedAt) ?? DateTimeOffset.UnixEpoch,
            RevokedAt = Parse(RevokedAt),
            TeamId = TeamId,
        };

        /// <summary>The row to insert for a key (typed, so the build-time query code binds its members).</summary>
        public static KeyRow From(KeyRecord key) => new()
        {
            Id = key.Id,
            Name = key.Name,
            Prefix = key.Prefix,
            Hash = key.Hash,
            AllowedModels = key.AllowedModels is null ? null : JsonSerializer.Serialize(key.AllowedModels.ToList(), StorageJsonContext.Default.ListString),
            Rpm = key.Rpm,
            Tpm = key.Tpm,
            MaxConcurrent = key.MaxConcurrent,
            Credits = key.Credits?.ToString(CultureInfo.InvariantCulture),
            ExpiresAt = key.ExpiresAt is { } expires ? Format(expires) : null,
            CreatedAt = Format(key.CreatedAt),
            TeamId = key.TeamId,
        };
    }
}
