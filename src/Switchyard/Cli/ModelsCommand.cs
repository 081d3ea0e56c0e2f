using System.CommandLine;
using Switchyard.Catalog;
using Switchyard.Configuration;
using Switchyard.Hosting;

namespace Switchyard.Cli;

/// <summary><c>models</c>: the configured models, their kinds and deployments.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "List the configured models.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var configuration = ConfigurationLoader.Load(parseResult.GetValue(SwitchyardCommands.ConfigOption), Environment.GetEnvironmentVariable);
            if (configuration.Problems.Count > 0)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync(new ConfigurationProblemsException(configuration.Problems).Message);
                return 1;
            }

            var catalog = CatalogBuilder.Build(configuration.Options, new Providers.ProviderContext(Environment.GetEnvironmentVariable));
            var output = parseResult.InvocationConfiguration.Output;
            foreach (var model in catalog.Ordered)
            {
                var deployments = string.Join(", ", model.Deployments.Select(d => d.Name));
                await output.WriteLineAsync($"{model.Id,-32} {ModelKinds.Name(model.Kind),-10} {deployments}");
            }

            return 0;
        });
        return command;
    }
}
