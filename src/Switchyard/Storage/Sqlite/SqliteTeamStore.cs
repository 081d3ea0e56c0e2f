using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Switchyard.Storage.Sqlite;

/// <summary>Teams in SQLite, beside the keys; credits as exact decimal text, as a key's are.</summary>
internal sealed class SqliteTeamStore(SqliteDatabase database) : ITeamStore
{
    private const string Columns = "id, name, rpm, tpm, max_concurrent, credits, created_at";

    private const string Select = "SELECT " + Columns + " FROM teams";

    // SQLite's primary result code for a UNIQUE violation (the name).
    private const int Constraint = 19;

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
                new
                {
                    team.Id,
                    team.Name,
                    team.Rpm,
                    team.Tpm,
                    team.MaxConcurrent,
                    Credits = team.Credits?.ToString(CultureInfo.InvariantCulture),
                    CreatedAt = SqliteKeyStore.Format(team.CreatedAt),
                });
            return TeamWrite.Done;
        }
        catch (SqliteException exception) when (exception.SqliteErrorCode == Constraint)
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
        sets.Add(changes.Credits, "credits", nameof(TeamRow.Credits), credits => values.Credits = credits?.ToString(CultureInfo.InvariantCulture));

        await using var connection = await OpenAsync(cancellationToken);
        try
        {
            var row = await connection.QuerySingleOrDefaultAsync<TeamRow>($"UPDATE teams SET {sets} WHERE id = @Id RETURNING {Columns};", values);
            return row is null ? (TeamWrite.NotFound, null) : (TeamWrite.Done, row.ToRecord());
        }
        catch (SqliteException exception) when (exception.SqliteErrorCode == Constraint)
        {
            return (TeamWrite.NameTaken, null);
        }
    }

    public async Task<TeamRecord?> AddCreditsAsync(string id, decimal amount, CancellationToken cancellationToken)
    {
        // Credits are exact decimal text, which SQLite cannot add: read and write in one write
        // transaction (BEGIN IMMEDIATE takes the write lock first, so concurrent top-ups serialise).
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var current = await connection.QuerySingleOrDefaultAsync<TeamRow>(Select + " WHERE id = @id;", new { id }, transaction);
        if (current is null)
        {
            return null;
        }

        var granted = (current.Credits is null ? 0m : decimal.Parse(current.Credits, CultureInfo.InvariantCulture)) + amount;
        await connection.ExecuteAsync("UPDATE teams SET credits = @credits WHERE id = @id;",
            new { id, credits = granted.ToString(CultureInfo.InvariantCulture) }, transaction);
        await transaction.CommitAsync(cancellationToken);
        return current.ToRecord() with { Credits = granted };
    }

    public async Task<TeamWrite> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        // One write transaction: no key can join the team between the check and the delete.
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM teams WHERE id = @id;", new { id }, transaction) == 0)
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

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        return await database.OpenAsync(cancellationToken);
    }

    /// <summary>The row as stored: the time as ISO 8601 text, credits as invariant decimal text.</summary>
    internal sealed class TeamRow
    {
        public string Id { get; set; } = "";

        public string Name { get; set; } = "";

        public long? Rpm { get; set; }

        public long? Tpm { get; set; }

        public long? MaxConcurrent { get; set; }

        public string? Credits { get; set; }

        public string CreatedAt { get; set; } = "";

        public TeamRecord ToRecord() => new()
        {
            Id = Id,
            Name = Name,
            Rpm = (int?)Rpm,
            Tpm = (int?)Tpm,
            MaxConcurrent = (int?)MaxConcurrent,
            Credits = Credits is null ? null : decimal.Parse(Credits, CultureInfo.InvariantCulture),
            CreatedAt = DateTimeOffset.Parse(CreatedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        };
    }
}
