using System.CommandLine;
using Switchyard.Configuration;
using Switchyard.Hosting;
using Switchyard.Storage;

namespace Switchyard.Cli;

/// <summary>Opens the store the configuration names, so CLI commands act on what the server uses.</summary>
internal static class CliStore
{
    /// <summary>The migrated store, or null (with the problems printed) when the configuration is bad. Dispose it when done.</summary>
    public static async Task<Stores?> OpenAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var configuration = ConfigurationLoader.Load(parseResult.GetValue(SwitchyardCommands.ConfigOption), Environment.GetEnvironmentVariable);
        if (configuration.Problems.Count > 0)
        {
            await parseResult.InvocationConfiguration.Error.WriteLineAsync(new ConfigurationProblemsException(configuration.Problems).Message);
            return null;
        }

        var stores = StoreFactory.Create(configuration.Options.Storage, Environment.GetEnvironmentVariable);
        await stores.Keys.InitializeAsync(cancellationToken);
        return stores;
    }
}
