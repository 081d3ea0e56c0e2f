using Dapper;
using Microsoft.Data.Sqlite;

namespace Switchyard.Storage.Sqlite;

/// <summary>The SQLite file every SQLite store shares: connections and versioned migrations.</summary>
internal sealed class SqliteDatabase : IDisposable, IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _migrated = new(1, 1);
    private bool _isMigrated;

    public SqliteDatabase(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Shared,
            Pooling = true,

            // How long a statement waits for another writer's lock (another process, a backup):
            // a request that needs the store is answered with a 503 after this, not held for 30 s.
            DefaultTimeout = 5,
        }.ToString();
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);

        // In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit survives a crash
        // of the process (the WAL is in the OS's hands), and the file is never corrupted; only an
        // OS crash or power cut can lose the last commits. FULL (the default) cost the request
        // log an fsync per batch, a quarter of the gateway's CPU at a few thousand requests/s.
        // A per-connection setting, so set on every open (pooled connections keep it anyway).
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous=NORMAL;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        return connection;
    }

    /// <summary>Applies the migration steps not yet applied; safe to call from every store.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await _migrated.WaitAsync(cancellationToken);
        try
        {
            if (_isMigrated)
            {
                return;
            }

            await using var connection = await OpenAsync(cancellationToken);

            // A process starting beside another waits for its migration, however long it takes.
            connection.DefaultTimeout = 120;
            await connection.ExecuteAsync("PRAGMA journal_mode=WAL;");

            // BEGIN IMMEDIATE takes the write lock before the version is read, so of two processes
            // starting together (serve and a CLI command) one applies the steps and the other
            // waits, then finds them applied, rather than both applying the same step.
            await using var transaction = connection.BeginTransaction(deferred: false);
            await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);", transaction: transaction);
            var version = await connection.ExecuteScalarAsync<long?>("SELECT MAX(version) FROM schema_version;", transaction: transaction) ?? 0;
            for (var step = (int)version; step < SqliteMigrations.Steps.Length; step++)
            {
                await connection.ExecuteAsync(SqliteMigrations.Steps[step], transaction: transaction);
                await connection.ExecuteAsync("INSERT INTO schema_version (version) VALUES (@v);", new { v = step + 1 }, transaction);
            }

            await transaction.CommitAsync(cancellationToken);
            _isMigrated = true;
        }
        finally
        {
            _migrated.Release();
        }
    }

    public void Dispose() => _migrated.Dispose();

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
