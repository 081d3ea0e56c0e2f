using Switchyard.Configuration;
using Switchyard.Limits;
using Switchyard.Storage;
using Switchyard.Storage.Postgres;
using Switchyard.Storage.Sqlite;

namespace Switchyard.Hosting;

/// <summary>Opens the configured store, for the server and for the CLI alike.</summary>
internal static class StoreFactory
{
    public static Stores Create(StorageOptions storage, Func<string, string?> environment, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        switch (storage.Kind)
        {
            case "sqlite":
            {
                var database = new SqliteDatabase(storage.Path);
                var ledger = new SqliteUsageLedger(database);

                // One process owns a SQLite file: its limits are counted in memory, exactly.
                var limits = new MemoryRateLimitStore(
                    (admission, cancellationToken) => admission.ForTeam ? ledger.TeamSpentAsync(admission.KeyId, cancellationToken) : ledger.SpentAsync(admission.KeyId, cancellationToken),
                    time);
                return new Stores(new SqliteKeyStore(database), new SqliteConversationStore(database), ledger, limits)
                {
                    Teams = new SqliteTeamStore(database),
                    Database = database,
                };
            }

            case "postgres":
            {
                var connectionString = EnvReferenceResolver.Resolve(storage.ConnectionString, environment);
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new ConfigurationProblemsException(["storage.connectionString: is required for postgres storage"]);
                }

                var database = new PostgresDatabase(connectionString);

                // A fleet shares one PostgreSQL: its limits are counted there, so the fleet acts as one gateway.
                var limits = new PostgresRateLimitStore(database, time: time);
                return new Stores(new PostgresKeyStore(database), new PostgresConversationStore(database), new PostgresUsageLedger(database, limits), limits)
                {
                    Teams = new PostgresTeamStore(database),
                    Database = database,
                };
            }

            default:
                throw new ConfigurationProblemsException([$"storage.kind: '{storage.Kind}' is not one of sqlite, postgres"]);
        }
    }
}
