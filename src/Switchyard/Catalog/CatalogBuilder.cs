using Switchyard.Configuration;
using Switchyard.Dialects;
using Switchyard.Providers;

namespace Switchyard.Catalog;

/// <summary>Compiles validated options into a <see cref="ModelCatalog"/>.</summary>
internal static class CatalogBuilder
{
    public const string EchoProviderName = "echo";
    public const string EchoModelId = "echo";

    /// <summary>
    /// Builds the catalog; <paramref name="discovered"/> adds models found on upstreams that list them
    /// (zero-config start). A provider of <paramref name="previous"/> with the same settings is kept,
    /// not compiled again: its connection pool and its cached credentials live on across reloads.
    /// </summary>
    public static ModelCatalog Build(SwitchyardOptions options, ProviderContext context, IReadOnlyList<ModelOptions>? discovered = null, ModelCatalog? previous = null)
    {
        var sources = options.Providers.ToDictionary(p => p.Name, Source, StringComparer.Ordinal);

        // Validated already: every type is registered.
        var providers = options.Providers
            .Select(p => previous is not null && previous.ProviderSources.GetValueOrDefault(p.Name) == sources[p.Name] && previous.Providers.TryGetValue(p.Name, out var kept)
                ? kept
                : ProviderTypes.Find(p.Type)!.Compile(p, context))
            .ToDictionary(p => p.Name, StringComparer.Ordinal);
        var models = new List<ModelEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in options.Models.Concat(discovered ?? []))
        {
            if (seen.Add(model.Id))
            {
                models.Add(BuildModel(model, providers));
            }
        }

        return new ModelCatalog(providers.Values, models, sources);
    }

    private static string Source(ProviderOptions provider) =>
        System.Text.Json.JsonSerializer.Serialize(provider, OptionsJsonContext.Default.ProviderOptions);

    private static ModelEntry BuildModel(ModelOptions options, Dictionary<string, Provider> providers)
    {
        // Validated already: an unknown kind or surface never reaches here.
        _ = ModelKinds.TryParse(options.Kind, out var kind);
        var deployments = options.Provider is { } single
            ? [new DeploymentOptions { Provider = single, Model = options.Model, Api = options.Api }]
            : options.Deployments;

        var surfaces = options.Endpoints is { } endpoints
            ? endpoints.Select(e => DialectRegistry.FindSurface(e)!).ToHashSet()
            : DialectRegistry.Surfaces.Where(s => s.Serves(kind)).ToHashSet();

        return new ModelEntry
        {
            Id = options.Id,
            Kind = kind,
            Surfaces = surfaces,
            SurfacesRestricted = options.Endpoints is not null,
            Deployments = deployments.Select(d =>
            {
                var provider = providers[d.Provider];
                return new Deployment(provider, d.Model ?? options.Model ?? options.Id, d.Weight)
                {
                    UpstreamDialect = provider.Type.DialectFor(kind, d.Api ?? options.Api, d.Model ?? options.Model ?? options.Id),
                };
            }).ToArray(),
            Fallbacks = options.Fallbacks.ToArray(),
            ContextWindow = options.ContextWindow,
            MaxOutputTokens = options.MaxOutputTokens,
            Pricing = options.Pricing is { } p
                ? new Pricing(p.InputPerMTok, p.CachedInputPerMTok ?? p.InputPerMTok, p.CacheWritePerMTok ?? p.InputPerMTok,
                    p.OutputPerMTok, p.ReasoningPerMTok ?? p.OutputPerMTok, p.MinimumCharge)
                {
                    PerImage = p.PerImage,
                    PerAudioSecond = p.PerAudioSecond,
                    PerMCharacters = p.PerMCharacters,
                    WebSearchPerCall = p.WebSearchPerCall,
                }
                : null,
        };
    }
}
