using System.Collections.Frozen;

namespace Switchyard.Catalog;

/// <summary>
/// An immutable snapshot of providers and models compiled from configuration; the request path
/// only reads it, and a reload swaps in a whole new one (<see cref="Configuration.SnapshotMonitor"/>).
/// </summary>
internal sealed class ModelCatalog
{
    /// <summary>The longest id a model may have; a request naming a longer one is refused before the id is kept anywhere.</summary>
    public const int MaxModelIdLength = 256;

    public ModelCatalog(IEnumerable<Provider> providers, IEnumerable<ModelEntry> models, IReadOnlyDictionary<string, string>? providerSources = null)
    {
        Providers = providers.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);
        ProviderSources = providerSources ?? new Dictionary<string, string>();
        Ordered = models.ToArray();
        Models = Ordered.ToFrozenDictionary(m => m.Id, StringComparer.Ordinal);
    }

    public FrozenDictionary<string, Provider> Providers { get; }

    /// <summary>Each provider's settings as compiled, by name: a recompile keeps a provider whose settings are the same.</summary>
    public IReadOnlyDictionary<string, string> ProviderSources { get; }

    public FrozenDictionary<string, ModelEntry> Models { get; }

    /// <summary>Models in configuration order, for listings.</summary>
    public IReadOnlyList<ModelEntry> Ordered { get; }

    public static ModelCatalog Empty { get; } = new([], []);

    public ModelEntry? Find(string id) => Models.GetValueOrDefault(id);
}
