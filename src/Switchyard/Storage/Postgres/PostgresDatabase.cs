using Dapper;
using Npgsql;

namespace Switchyard.Storage.Postgres;

/// <summary>
/// The PostgreSQL database every PostgreSQL store shares: one pooled data source and versioned
/// migrations. Several gateways may start at once on one database, so the migration runs under
/// an advisory lock: one applies the steps, the others wait and find them applied.
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    // Any constant unique to Switchyard; advisory locks are database-wide.
    private const long MigrationLock = 0x53_77_69_74_63_68;

    private readonly NpgsqlDataSource _source;
    private readonly NpgsqlDataSource _counters;
    private readonly SemaphoreSlim _migrated = new(1, 1);
    private bool _isMigrated;

    /// <summary>Connections a process opens at most for the stores and for the counters, unless the connection string sets <c>Maximum Pool Size</c>.</summary>
    public const int DefaultPoolSize = 20;

    public const int DefaultCountersPoolSize = 10;

    public PostgresDatabase(string connectionString)
    {
        var (stores, counters) = ConnectionStrings(connectionString);
        _source = NpgsqlDataSource.Create(stores);
        _counters = NpgsqlDataSource.Create(counters);
    }

    /// <summary>
    /// The connection strings of the two pools, from the configured one. Npgsql's own default is 100
    /// connections a pool: two pools a process, and a burst on a few processes would pass the
    /// server's <c>max_connections</c> (100 by default) and be refused (53300, answered 503).
    /// Smaller pools make a burst wait its turn instead; a <c>Maximum Pool Size</c> the operator
    /// wrote (in any of Npgsql's spellings) is kept for both.
    /// </summary>
    internal static (string Stores, string Counters) ConnectionStrings(string connectionString)
    {
        var written = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(key => key.Replace(" ", "", StringComparison.Ordinal))
            .Any(key => key.Equals("MaximumPoolSize", StringComparison.OrdinalIgnoreCase) || key.Equals("MaxPoolSize", StringComparison.OrdinalIgnoreCase));
        var stores = new NpgsqlConnectionStringBuilder(connectionString);
        var counters = new NpgsqlConnectionStringBuilder(connectionString);
        if (!written)
        {
            stores.MaxPoolSize = Math.Max(DefaultPoolSize, stores.MinPoolSize);
            counters.MaxPoolSize = Math.Max(DefaultCountersPoolSize, counters.MinPoolSize);
        }

        // Rate and credit counters are written twice per request, all on the key's one row, so
        // their commits must not each wait for a WAL flush: that would cap a key at a few hundred
        // requests a second. Losing the last fraction of a second of counter changes to a
        // database crash is acceptable; the ledger (the record of charges) keeps full durability.
        counters.Options = (counters.Options is { Length: > 0 } options ? options + " " : "") + "-c synchronous_commit=off";
        return (stores.ConnectionString, counters.ConnectionString);
    }

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _source.OpenConnectionAsync(cancellationToken);

    /// <summary>A connection for the rate and credit counters: the same database, commits not waiting for the disk.</summary>
    public async Task<NpgsqlConnection> OpenCountersAsync(CancellationToken cancellationToken) =>
        await _counters.OpenConnectionAsync(cancellationToken);

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
            await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@migrationLock);", new { migrationLock = MigrationLock }, transaction);
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
        await _counters.DisposeAsync();
        _migrated.Dispose();
    }
}
