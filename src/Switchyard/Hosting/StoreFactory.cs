using Switchyard.Configuration;
using Switchyard.Storage;
using Switchyard.Storage.Sqlite;

namespace Switchyard.Hosting;

/// <summary>Opens the configured store, for the server and for the CLI alike.</summary>
public static class StoreFactory
{
    public static IKeyStore Create(StorageOptions storage, Func<string, string?> environment) => storage.Kind switch
    {
        "sqlite" => new SqliteKeyStore(storage.Path),
        _ => throw new ConfigurationProblemsException([$"storage.kind: '{storage.Kind}' storage is not available in this build"]),
    };
}
