using System.Globalization;

namespace Switchyard.Configuration;

/// <summary>
/// One run of the checks over a whole configuration: every problem found, each with its path
/// (<c>models[3].provider: 'gem2' is not a provider</c>), and what the sections' checks share.
/// </summary>
internal sealed class ConfigurationCheck(SwitchyardOptions options, Func<string, string?> environment)
{
    private readonly List<string> _problems = [];
    private Dictionary<string, ProviderOptions>? _providers;
    private HashSet<string>? _modelIds;

    public SwitchyardOptions Options => options;

    public IReadOnlyList<string> Problems => _problems;

    /// <summary>The providers by name; the first wins where two share one (that is a problem of its own).</summary>
    public IReadOnlyDictionary<string, ProviderOptions> Providers => _providers ??= options.Providers
        .Where(p => !string.IsNullOrWhiteSpace(p.Name))
        .GroupBy(p => p.Name, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    /// <summary>The ids the models declare, for references from fallbacks and keys.</summary>
    public IReadOnlySet<string> ModelIds => _modelIds ??= options.Models
        .Where(m => !string.IsNullOrWhiteSpace(m.Id))
        .Select(m => m.Id)
        .ToHashSet(StringComparer.Ordinal);

    public Func<string, string?> Environment => environment;

    public void Problem(string path, string message) => _problems.Add($"{path}: {message}");

    /// <summary>The longest wait a timeout or a timer's period may set: a day is past any use, and a timer cannot wait past ~49 days.</summary>
    public const int MaxWaitSeconds = 86_400;

    /// <summary>
    /// Reports a duration that is not more than 0 and at most <paramref name="max"/> (named by
    /// <paramref name="maxName"/>): NaN and Infinity reach here from an environment override, and a
    /// value past what a timer or a date can hold would fail each request that uses it, not the load.
    /// </summary>
    public void Duration(string path, double value, double max, string maxName)
    {
        if (!(value > 0 && value <= max))
        {
            Problem(path, string.Create(CultureInfo.InvariantCulture, $"must be more than 0 and at most {max} ({maxName})"));
        }
    }

    /// <summary><see cref="Duration"/> for a number of seconds a timer waits: at most a day.</summary>
    public void Wait(string path, double seconds) => Duration(path, seconds, MaxWaitSeconds, "a day");

    /// <summary>An <c>env:NAME</c> value resolved; the value itself when it is not a reference.</summary>
    public string? Resolve(string? value) => EnvReferenceResolver.Resolve(value, environment);

    /// <summary>Reports an <c>env:NAME</c> reference whose variable is not set.</summary>
    public void Reference(string path, string? value)
    {
        if (EnvReferenceResolver.IsReference(value) && Resolve(value) is null)
        {
            Problem(path, $"environment variable {value![EnvReferenceResolver.Prefix.Length..]} is not set");
        }
    }

    /// <summary>Reports a value that is not an absolute http(s) URL, without echoing it (an address may carry a token).</summary>
    public void HttpUrl(string path, string? value, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                Problem(path, "is required");
            }
        }
        else if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            Problem(path, "is not an absolute http(s) URL");
        }
    }

    public static string Path(string collection, int index) => string.Create(CultureInfo.InvariantCulture, $"{collection}[{index}]");
}
