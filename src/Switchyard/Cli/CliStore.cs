using System.CommandLine;
using Switchyard.Configuration;
using Switchyard.Hosting;
using Switchyard.Storage;

namespace Switchyard.Cli;

/// <summary>Opens the store the configuration names, so CLI commands act on what the server uses.</summary>
internal static class CliStore
{
    public static async Task<(IKeyStore? Store, LoadedConfiguration Configuration)> OpenAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var configuration = ConfigurationLoader.Load(parseResult.GetValue(SwitchyardCommands.ConfigOption), Environment.GetEnvironmentVariable);
        if (configuration.Problems.Count > 0)
        {
            await parseResult.InvocationConfiguration.Error.WriteLineAsync(new ConfigurationProblemsException(configuration.Problems).Message);
            return (null, configuration);
        }

        var store = StoreFactory.Create(configuration.Options.Storage, Environment.GetEnvironmentVariable).Keys;
        await store.InitializeAsync(cancellationToken);
        return (store, configuration);
    }
}
