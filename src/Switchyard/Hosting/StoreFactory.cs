using Switchyard.Configuration;
using Switchyard.Storage;
using Switchyard.Storage.Sqlite;

namespace Switchyard.Hosting;

/// <summary>Opens the configured store, for the server and for the CLI alike.</summary>
public static class StoreFactory
{
    public static Stores Create(StorageOptions storage, Func<string, string?> environment)
    {
        _ = environment;
        if (storage.Kind != "sqlite")
        {
            throw new ConfigurationProblemsException([$"storage.kind: '{storage.Kind}' storage is not available in this build"]);
        }

        var database = new SqliteDatabase(storage.Path);
        return new Stores(new SqliteKeyStore(database), new SqliteConversationStore(database));
    }
}
