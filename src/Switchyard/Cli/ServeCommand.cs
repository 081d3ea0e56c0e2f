using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Switchyard.Hosting;

namespace Switchyard.Cli;

/// <summary><c>serve [--config FILE] [--urls URL]</c>: runs the gateway until stopped.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = $"Listen addresses (default {SwitchyardHost.DefaultUrls})." };
        var command = new Command("serve", "Run the gateway.") { urls };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            WebApplication app;
            try
            {
                app = SwitchyardHost.Build(new ServeSettings
                {
                    ConfigPath = parseResult.GetValue(SwitchyardCommands.ConfigOption),
                    Urls = parseResult.GetValue(urls),
                    Output = output,
                    ChoosesSocketCompletions = true,
                });
            }
            catch (ConfigurationProblemsException exception)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync(exception.Message);
                return 1;
            }

            await app.RunAsync(cancellationToken);
            return 0;
        });
        return command;
    }
}
