using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Switchyard.Configuration;

/// <summary>The configuration as loaded: options, the root to watch for reloads, and every problem found.</summary>
internal sealed record LoadedConfiguration(SwitchyardOptions Options, IConfigurationRoot Root, string? FilePath, IReadOnlyList<string> Problems) : IDisposable
{
    /// <summary>True when no file was given or found: the zero-config start of docs/commands.md.</summary>
    public bool IsZeroConfig => FilePath is null;

    /// <summary>Stops watching the file (each watch holds an inotify instance, of which a user has few).</summary>
    public void Dispose() => (Root as IDisposable)?.Dispose();
}

/// <summary>
/// Loads the JSON file (explicit <c>--config</c>, else <c>switchyard.json</c> when present), applies
/// <c>SWITCHYARD__*</c> environment overrides, binds and validates. With no file, the embedded
/// defaults of docs/commands.md apply: providers from the environment and the built-in echo model.
/// </summary>
internal static partial class ConfigurationLoader
{
    public const string DefaultFile = "switchyard.json";
    public const string EnvironmentPrefix = "SWITCHYARD__";

    public static LoadedConfiguration Load(string? path, Func<string, string?> environment)
    {
        var problems = new List<string>();
        string? file = null;
        if (path is not null)
        {
            file = Path.GetFullPath(path);
            if (!File.Exists(file))
            {
                problems.Add($"{path}: the configuration file does not exist");
                return new LoadedConfiguration(new SwitchyardOptions(), new ConfigurationBuilder().Build(), file, problems);
            }
        }
        else if (File.Exists(DefaultFile))
        {
            file = Path.GetFullPath(DefaultFile);
        }

        var builder = new ConfigurationBuilder();
        if (file is not null)
        {
            builder.AddJsonFile(source =>
            {
                source.FileProvider = new PolledFileProvider(Path.GetDirectoryName(file)!);
                source.Path = Path.GetFileName(file);
                source.Optional = false;
                source.ReloadOnChange = true;
            });
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        IConfigurationRoot root;
        try
        {
            root = builder.Build();
        }
        catch (Exception exception) when (exception is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            problems.Add($"{path ?? file}: not valid JSON ({exception.InnerException?.Message ?? exception.Message})");
            return new LoadedConfiguration(new SwitchyardOptions(), new ConfigurationBuilder().Build(), file, problems);
        }

        var options = Bind(root, problems);
        if (file is null)
        {
            ApplyZeroConfigDefaults(options, environment);
        }

        problems.AddRange(SwitchyardOptionsValidator.Validate(options, environment));
        return new LoadedConfiguration(options, root, file, problems);
    }

    /// <summary>Binds and validates again, for a reload of the same sources.</summary>
    public static (SwitchyardOptions Options, IReadOnlyList<string> Problems) Reload(IConfigurationRoot root, bool zeroConfig, Func<string, string?> environment)
    {
        var problems = new List<string>();
        var options = Bind(root, problems);
        if (zeroConfig)
        {
            ApplyZeroConfigDefaults(options, environment);
        }

        problems.AddRange(SwitchyardOptionsValidator.Validate(options, environment));
        return (options, problems);
    }

    private static SwitchyardOptions Bind(IConfiguration root, List<string> problems)
    {
        try
        {
            var options = root.Get<SwitchyardOptions>() ?? new SwitchyardOptions();
            var sections = root.GetSection("Providers").GetChildren().ToArray();
            for (var i = 0; i < options.Providers.Count && i < sections.Length; i++)
            {
                options.Providers[i].Settings = Flatten(sections[i]);
            }

            return options;
        }
        catch (InvalidOperationException exception)
        {
            problems.Add(DescribeBindingError(exception.Message));
            return new SwitchyardOptions();
        }
    }

    /// <summary>A section's values keyed by their path below it (<c>region</c>, <c>auth:kind</c>), case-insensitively as configuration is.</summary>
    private static Dictionary<string, string?> Flatten(IConfigurationSection section)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in section.AsEnumerable(makePathsRelative: true))
        {
            if (value is not null)
            {
                settings[key] = value;
            }
        }

        return settings;
    }

    /// <summary>"Failed to convert configuration value at 'Providers:0:Retries' to type 'System.Int32'." → "providers[0].retries: …".</summary>
    private static string DescribeBindingError(string message)
    {
        var match = BindingPathPattern().Match(message);
        if (!match.Success)
        {
            return message;
        }

        var segments = match.Groups[1].Value.Split(':');
        var path = string.Empty;
        foreach (var segment in segments)
        {
            path += int.TryParse(segment, out _) ? $"[{segment}]" : (path.Length == 0 ? string.Empty : ".") + char.ToLowerInvariant(segment[0]) + segment[1..];
        }

        var type = match.Groups[2].Success ? match.Groups[2].Value.Split('.')[^1].TrimEnd('\'') : "the expected type";
        return $"{path}: '{match.Groups[3].Value}' is not a valid {type}".Replace("'' is not", "value is not", StringComparison.Ordinal);
    }

    private static void ApplyZeroConfigDefaults(SwitchyardOptions options, Func<string, string?> environment)
    {
        // A provider for each vendor whose key is in the environment, named after its type.
        foreach (var api in Dialects.DialectRegistry.Apis)
        {
            if (api.Environment is not { } variables || string.IsNullOrEmpty(environment(variables.Key)) || options.Providers.Any(p => p.Name == api.Name))
            {
                continue;
            }

            var baseUrl = variables.BaseUrl is { } urlVariable && environment(urlVariable) is { Length: > 0 } url ? url : api.DefaultBaseUrl;
            options.Providers.Add(new ProviderOptions { Name = api.Name, Type = api.Name, ApiKey = "env:" + variables.Key, BaseUrl = baseUrl });
        }

        if (options.Providers.All(p => p.Name != Catalog.CatalogBuilder.EchoProviderName))
        {
            options.Providers.Add(new ProviderOptions { Name = Catalog.CatalogBuilder.EchoProviderName, Type = "echo" });
        }

        if (options.Models.All(m => m.Id != Catalog.CatalogBuilder.EchoModelId))
        {
            options.Models.Add(new ModelOptions { Id = Catalog.CatalogBuilder.EchoModelId, Provider = Catalog.CatalogBuilder.EchoProviderName });
        }
    }

    [GeneratedRegex(@"at '([^']+)'(?: to type '([^']+)')?[^']*(?:'([^']*)')?")]
    private static partial Regex BindingPathPattern();
}
