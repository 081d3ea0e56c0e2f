using Microsoft.Extensions.Configuration;
using Switchyard.Configuration;

namespace Switchyard.Providers;

/// <summary>A provider's own settings as configuration again, for types that bind their own options from them.</summary>
internal static class ProviderSettings
{
    public static IConfiguration Section(ProviderOptions options) =>
        new ConfigurationBuilder().AddInMemoryCollection(options.Settings).Build();

    /// <summary>Reports problems written as <c>path: message</c> through a validator's callback.</summary>
    public static void Report(IEnumerable<string> problems, Action<string, string> problem)
    {
        foreach (var text in problems)
        {
            var colon = text.IndexOf(": ", StringComparison.Ordinal);
            problem(colon < 0 ? string.Empty : text[..colon], colon < 0 ? text : text[(colon + 2)..]);
        }
    }

    /// <summary>The registered dialect of this name (a cloud names the vendors' dialects it speaks).</summary>
    public static Dialects.Dialect Dialect(string name) => Dialects.DialectRegistry.All.Single(d => d.Name == name);
}
