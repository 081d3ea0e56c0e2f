using Dapper;
using Npgsql;

namespace Switchyard.Storage.Postgres;

/// <summary>
/// The PostgreSQL database every PostgreSQL store shares: one pooled data source and versioned
/// migrations. Several gateways may start at once on one database, so the migration runs under
/// an advisory lock: one applies the steps, the others wait and find them applied.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    // Any constant unique to Switchyard; advisory locks are database-wide.
    private const long MigrationLock = 0x53_77_69_74_63_68;

    private readonly NpgsqlDataSource _source;
    private readonly SemaphoreSlim _migrated = new(1, 1);
    private bool _isMigrated;

    static PostgresDatabase() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public PostgresDatabase(string connectionString)
    {
        _source = NpgsqlDataSource.Create(connectionString);
    }

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _source.OpenConnectionAsync(cancellationToken);

    public NpgsqlDataSource Source => _source;

    /// <summary>Applies the migration steps not yet applied; safe to call from every store and every process.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _isMigrated))
        {
            return;
        }

        await _migrated.WaitAsync(cancellationToken);
        try
        {
            if (_isMigrated)
            {
                return;
            }

            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@lock);", new { @lock = MigrationLock }, transaction);
            await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);", transaction: transaction);
            var version = await connection.ExecuteScalarAsync<int?>("SELECT MAX(version) FROM schema_version;", transaction: transaction) ?? 0;
            for (var step = version; step < PostgresMigrations.Steps.Length; step++)
            {
                await connection.ExecuteAsync(PostgresMigrations.Steps[step], transaction: transaction);
                await connection.ExecuteAsync("INSERT INTO schema_version (version) VALUES (@v);", new { v = step + 1 }, transaction);
            }

            await transaction.CommitAsync(cancellationToken);
            Volatile.Write(ref _isMigrated, true);
        }
        finally
        {
            _migrated.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync();
        _migrated.Dispose();
    }
}
