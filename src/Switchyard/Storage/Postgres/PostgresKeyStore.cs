using System.Text.Json;
using Dapper;

namespace Switchyard.Storage.Postgres;

/// <summary>Keys and settings in PostgreSQL, shared by every gateway of a fleet.</summary>
internal sealed class PostgresKeyStore(PostgresDatabase database) : IKeyStore
{
    private const string Columns = "id, name, prefix, hash, allowed_models, rpm, tpm, max_concurrent, credits, expires_at, created_at, revoked_at, team_id";

    private const string Select = "SELECT " + Columns + " FROM keys";

    /// <summary>A key is moved only into a team that exists, checked in the statement that moves it.</summary>
    private static string TeamExists(KeyChanges changes) =>
        changes.Team is { Set: true, Value: not null } ? "AND EXISTS (SELECT 1 FROM teams WHERE teams.id = @TeamId)" : "";

    public Task InitializeAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    public async Task<KeyRecord?> FindByHashAsync(string hash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(Select + " WHERE hash = @hash;", new { hash });
        return row?.ToRecord();
    }

    public async Task<KeyRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(Select + " WHERE id = @id;", new { id });
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<KeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<KeyRow>(Select + " ORDER BY created_at, id;");
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyList<(string Hash, DateTimeOffset CreatedAt)>> ListHashesAsync(DateTimeOffset? since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<HashRow>(
            "SELECT hash, created_at FROM keys WHERE revoked_at IS NULL AND (@since::timestamptz IS NULL OR created_at >= @since);",
            new { since = since?.UtcDateTime });
        return rows.Select(r => (r.Hash, Utc(r.CreatedAt)!.Value)).ToList();
    }

    public async Task<bool> InsertAsync(KeyRecord key, CancellationToken cancellationToken)
    {
        // One statement: the team is checked where the key is written (and its foreign key holds
        // the team until the transaction ends), so a team deleted meanwhile is never named.
        await using var connection = await database.OpenAsync(cancellationToken);
        try
        {
            return await connection.ExecuteAsync(
                """
                INSERT INTO keys (id, name, prefix, hash, allowed_models, rpm, tpm, max_concurrent, credits, expires_at, created_at, revoked_at, team_id)
                SELECT @Id, @Name, @Prefix, @Hash, @AllowedModels, @Rpm, @Tpm, @MaxConcurrent, @Credits, @ExpiresAt, @CreatedAt, NULL, @TeamId
                WHERE @TeamId::text IS NULL OR EXISTS (SELECT 1 FROM teams WHERE id = @TeamId);
                """,
                KeyRow.Parameters(key)) == 1;
        }
        catch (Npgsql.PostgresException exception) when (exception.SqlState == Npgsql.PostgresErrorCodes.ForeignKeyViolation)
        {
            // The team was deleted between the check and the write.
            return false;
        }
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
        sets.Add(changes.Credits, "credits", nameof(KeyRow.Credits), credits => values.Credits = credits);
        sets.Add(changes.Team, "team_id", nameof(KeyRow.TeamId), team => values.TeamId = team);
        sets.Add(changes.ExpiresAt, "expires_at", nameof(KeyRow.ExpiresAt), expires => values.ExpiresAt = expires?.UtcDateTime);

        await using var connection = await database.OpenAsync(cancellationToken);
        try
        {
            var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(
                $"UPDATE keys SET {sets} WHERE id = @Id {TeamExists(changes)} RETURNING {Columns};", values);
            return row?.ToRecord();
        }
        catch (Npgsql.PostgresException exception) when (exception.SqlState == Npgsql.PostgresErrorCodes.ForeignKeyViolation)
        {
            // The team was deleted between the check and the write.
            return null;
        }
    }

    public async Task<KeyRecord?> AddCreditsAsync(string id, decimal amount, CancellationToken cancellationToken)
    {
        // One statement: concurrent top-ups from any process both count.
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(
            """
            UPDATE keys SET credits = COALESCE(credits, 0) + @amount WHERE id = @id
            RETURNING id, name, prefix, hash, allowed_models, rpm, tpm, max_concurrent, credits, expires_at, created_at, revoked_at, team_id;
            """,
            new { id, amount });
        return row?.ToRecord();
    }

    public async Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "UPDATE keys SET revoked_at = COALESCE(revoked_at, @at) WHERE id = @id;",
            new { id, at = at.UtcDateTime }) > 0;
    }

    public async Task<string?> GetSettingAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>("SELECT value FROM settings WHERE name = @name;", new { name });
    }

    public async Task<string> SetSettingIfAbsentAsync(string name, string value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("INSERT INTO settings (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING;", new { name, value });
        return await connection.ExecuteScalarAsync<string>("SELECT value FROM settings WHERE name = @name;", new { name }) ?? value;
    }

    /// <summary>A key's hash and when it was made, for the key cache.</summary>
    internal sealed class HashRow
    {
        public string Hash { get; set; } = "";

        public DateTime CreatedAt { get; set; }
    }

    /// <summary>The row as stored; times are timestamptz, read back as UTC.</summary>
    internal sealed class KeyRow
    {
        public string Id { get; set; } = "";

        public string Name { get; set; } = "";

        public string Prefix { get; set; } = "";

        public string Hash { get; set; } = "";

        public string? AllowedModels { get; set; }

        public int? Rpm { get; set; }

        public int? Tpm { get; set; }

        public int? MaxConcurrent { get; set; }

        public decimal? Credits { get; set; }

        public DateTime? ExpiresAt { get; set; }

        public DateTime CreatedAt { get; set; }

        public DateTime? RevokedAt { get; set; }

        public string? TeamId { get; set; }

        public KeyRecord ToRecord() => new()
        {
            Id = Id,
            Name = Name,
            Prefix = Prefix,
            Hash = Hash,
            AllowedModels = AllowedModels is null ? null : JsonSerializer.Deserialize(AllowedModels, StorageJsonContext.Default.ListString),
            Rpm = Rpm,
            Tpm = Tpm,
            MaxConcurrent = MaxConcurrent,
            Credits = Credits,
            ExpiresAt = Utc(ExpiresAt),
            CreatedAt = Utc(CreatedAt) ?? DateTimeOffset.UnixEpoch,
            RevokedAt = Utc(RevokedAt),
            TeamId = TeamId,
        };

        /// <summary>The row to insert for a key (typed, so the build-time query code binds its members).</summary>
        public static KeyRow Parameters(KeyRecord key) => new()
        {
            Id = key.Id,
            Name = key.Name,
            Prefix = key.Prefix,
            Hash = key.Hash,
            AllowedModels = key.AllowedModels is null ? null : JsonSerializer.Serialize(key.AllowedModels.ToList(), StorageJsonContext.Default.ListString),
            Rpm = key.Rpm,
            Tpm = key.Tpm,
            MaxConcurrent = key.MaxConcurrent,
            Credits = key.Credits,
            ExpiresAt = key.ExpiresAt?.UtcDateTime,
            CreatedAt = key.CreatedAt.UtcDateTime,
            TeamId = key.TeamId,
        };
    }

    internal static DateTimeOffset? Utc(DateTime? value) =>
        value is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
}
