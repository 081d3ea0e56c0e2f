using Dapper;
using Npgsql;

namespace Switchyard.Storage.Postgres;

/// <summary>Teams in PostgreSQL, shared by every gateway of a fleet; <c>keys.team_id</c> is a foreign key to them.</summary>
internal sealed class PostgresTeamStore(PostgresDatabase database) : ITeamStore
{
    private const string Columns = "id, name, rpm, tpm, max_concurrent, credits, created_at";

    private const string Select = "SELECT " + Columns + " FROM teams";

    public async Task<TeamRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<TeamRow>(Select + " WHERE id = @id;", new { id }))?.ToRecord();
    }

    public async Task<TeamRecord?> FindByNameAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<TeamRow>(Select + " WHERE name = @name;", new { name }))?.ToRecord();
    }

    public async Task<IReadOnlyList<TeamRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<TeamRow>(Select + " ORDER BY name, id;");
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<TeamWrite> InsertAsync(TeamRecord team, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(
                "INSERT INTO teams (" + Columns + ") VALUES (@Id, @Name, @Rpm, @Tpm, @MaxConcurrent, @Credits, @CreatedAt);",
                new { team.Id, team.Name, team.Rpm, team.Tpm, team.MaxConcurrent, team.Credits, CreatedAt = team.CreatedAt.UtcDateTime });
            return TeamWrite.Done;
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return TeamWrite.NameTaken;
        }
    }

    public async Task<(TeamWrite Outcome, TeamRecord? Team)> UpdateAsync(string id, TeamChanges changes, CancellationToken cancellationToken)
    {
        if (changes.None)
        {
            return await GetAsync(id, cancellationToken) is { } unchanged ? (TeamWrite.Done, unchanged) : (TeamWrite.NotFound, null);
        }

        // The row's members carry the values; only those the statement names are bound.
        var sets = new SetClause();
        var values = new TeamRow { Id = id };
        sets.Add(changes.Name, "name", nameof(TeamRow.Name), name => values.Name = name);
        sets.Add(changes.Rpm, "rpm", nameof(TeamRow.Rpm), rpm => values.Rpm = rpm);
        sets.Add(changes.Tpm, "tpm", nameof(TeamRow.Tpm), tpm => values.Tpm = tpm);
        sets.Add(changes.MaxConcurrent, "max_concurrent", nameof(TeamRow.MaxConcurrent), slots => values.MaxConcurrent = slots);
        sets.Add(changes.Credits, "credits", nameof(TeamRow.Credits), credits => values.Credits = credits);

        await using var connection = await OpenAsync(cancellationToken);
        try
        {
            var row = await connection.QuerySingleOrDefaultAsync<TeamRow>($"UPDATE teams SET {sets} WHERE id = @Id RETURNING {Columns};", values);
            return row is null ? (TeamWrite.NotFound, null) : (TeamWrite.Done, row.ToRecord());
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return (TeamWrite.NameTaken, null);
        }
    }

    public async Task<TeamRecord?> AddCreditsAsync(string id, decimal amount, CancellationToken cancellationToken)
    {
        // One statement: concurrent top-ups from any process both count.
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<TeamRow>(
            $"UPDATE teams SET credits = COALESCE(credits, 0) + @amount WHERE id = @id RETURNING {Columns};", new { id, amount });
        return row?.ToRecord();
    }

    public async Task<TeamWrite> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        // The team's row is locked first: a key joining it meanwhile (its foreign key check takes a
        // share lock on that row) waits, then fails, so no key is left naming a deleted team.
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await connection.ExecuteScalarAsync<int?>("SELECT 1 FROM teams WHERE id = @id FOR UPDATE;", new { id }, transaction) is null)
        {
            return TeamWrite.NotFound;
        }

        if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM keys WHERE team_id = @id AND revoked_at IS NULL;", new { id }, transaction) > 0)
        {
            return TeamWrite.HasKeys;
        }

        await connection.ExecuteAsync("UPDATE keys SET team_id = NULL WHERE team_id = @id;", new { id }, transaction);
        await connection.ExecuteAsync("DELETE FROM teams WHERE id = @id;", new { id }, transaction);
        await transaction.CommitAsync(cancellationToken);
        return TeamWrite.Done;
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        return await database.OpenAsync(cancellationToken);
    }

    internal sealed class TeamRow
    {
        public string Id { get; set; } = "";

        public string Name { get; set; } = "";

        public int? Rpm { get; set; }

        public int? Tpm { get; set; }

        public int? MaxConcurrent { get; set; }

        public decimal? Credits { get; set; }

        public DateTime CreatedAt { get; set; }

        public TeamRecord ToRecord() => new()
        {
            Id = Id,
            Name = Name,
            Rpm = Rpm,
            Tpm = Tpm,
            MaxConcurrent = MaxConcurrent,
            Credits = Credits,
            CreatedAt = PostgresKeyStore.Utc(CreatedAt) ?? DateTimeOffset.UnixEpoch,
        };
    }
}
