using Switchyard.Configuration;

namespace Switchyard.Hosting;

/// <summary>
/// Where the continuation of a finished socket read or write runs. .NET's default hands each one
/// from the socket engine's thread to the thread pool; a relay does little between its reads and
/// writes, so that hand-off (a wake-up and a context switch per completion) cost it 14-18 % of its
/// throughput on a core (bench/README.md, eighteenth pass). Inline, the engine's threads (one per
/// core) run them. The runtime reads its setting from the environment once, when the first socket
/// is made, so <c>serve</c> chooses before it makes one. An operator's own value wins:
/// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c> restores the hand-off (docs/operations.md).
/// </summary>
internal static class SocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Inline, unless the environment says otherwise or the store is PostgreSQL: the row readers
    /// generated for its queries (Dapper.AOT) read columns synchronously, and a synchronous read
    /// of a socket on its own engine's thread waits for that thread, for ever.
    /// </summary>
    public static void Choose(StorageOptions storage)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)) && storage.Kind == "sqlite")
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
