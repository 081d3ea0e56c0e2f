using System.CommandLine;
using Switchyard.Configuration;

namespace Switchyard.Cli;

/// <summary><c>config check FILE</c>: the same validation <c>serve</c> runs; non-zero exit on any problem.</summary>
internal static class ConfigCheckCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The configuration file to check." };
        var check = new Command("check", "Validate a configuration file and report every problem with its path.") { file };
        check.SetAction(async (parseResult, cancellationToken) =>
        {
            using var configuration = ConfigurationLoader.Load(parseResult.GetRequiredValue(file), Environment.GetEnvironmentVariable);
            if (configuration.Problems.Count == 0)
            {
                await parseResult.InvocationConfiguration.Output.WriteLineAsync(
                    $"OK: {configuration.Options.Providers.Count} providers, {configuration.Options.Models.Count} models, {configuration.Options.Keys.Count} keys.");
                return 0;
            }

            var error = parseResult.InvocationConfiguration.Error;
            foreach (var problem in configuration.Problems)
            {
                await error.WriteLineAsync(problem);
            }

            return 1;
        });
        return new Command("config", "Configuration tools.") { check };
    }
}
