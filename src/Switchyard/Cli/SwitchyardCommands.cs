using System.CommandLine;

namespace Switchyard.Cli;

/// <summary>The command tree of the one binary (docs/commands.md).</summary>
internal static class SwitchyardCommands
{
    /// <summary>Shared by every subcommand: the configuration file, which also names the store.</summary>
    public static Option<string?> ConfigOption { get; } = new("--config", "-c")
    {
        Description = "Configuration file (default: switchyard.json when present, else built-in defaults).",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("Switchyard: a self-hosted LLM API gateway.")
        {
            ConfigOption,
            ServeCommand.Create(),
            KeysCommand.Create(),
            TeamsCommand.Create(),
            ModelsCommand.Create(),
            UsageCommand.Create(),
            ConfigCheckCommand.Create(),
        };
        return root;
    }
}
