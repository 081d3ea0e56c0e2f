using Switchyard.Configuration;
using Switchyard.Dialects;
using Switchyard.Forwarding;

namespace Switchyard.Catalog;

/// <summary>Compiles validated options into a <see cref="ModelCatalog"/>.</summary>
public static class CatalogBuilder
{
    public const string EchoProviderName = "echo";
    public const string EchoModelId = "echo";

    public static string DefaultBaseUrl(string type) => type switch
    {
        "anthropic" => "https://api.anthropic.com",
        "gemini" => "https://generativelanguage.googleapis.com",
        "openai" => "https://api.openai.com/v1",
        _ => "echo:",
    };

    /// <summary>Builds the catalog; <paramref name="discovered"/> adds models found on upstreams that list them (zero-config start).</summary>
    public static ModelCatalog Build(SwitchyardOptions options, Func<string, string?> environment, IReadOnlyList<ModelOptions>? discovered = null)
    {
        var providers = options.Providers.Select(p => BuildProvider(p, environment)).ToDictionary(p => p.Name, StringComparer.Ordinal);
        var models = new List<ModelEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in options.Models.Concat(discovered ?? []))
        {
            if (seen.Add(model.Id))
            {
                models.Add(BuildModel(model, providers));
            }
        }

        return new ModelCatalog(providers.Values, models);
    }

    private static Provider BuildProvider(ProviderOptions options, Func<string, string?> environment)
    {
        var type = options.Type switch
        {
            "openai" => ProviderType.OpenAI,
            "anthropic" => ProviderType.Anthropic,
            "gemini" => ProviderType.Gemini,
            _ => ProviderType.Echo,
        };
        var baseUrl = (options.BaseUrl is { Length: > 0 } url ? url : DefaultBaseUrl(options.Type)).TrimEnd('/');
        return new Provider
        {
            Name = options.Name,
            Type = type,
            BaseUrl = baseUrl,
            ApiKey = EnvReferenceResolver.Resolve(options.ApiKey, environment),
            Headers = options.Headers.ToDictionary(h => h.Key, h => EnvReferenceResolver.Resolve(h.Value, environment) ?? string.Empty),
            Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds ?? 600),
            Retries = options.Retries,
            MaxConcurrency = options.MaxConcurrency,
            AnthropicVersion = options.AnthropicVersion,
            Search = options.Search ?? (baseUrl.Contains("api.openai.com", StringComparison.OrdinalIgnoreCase)
                || baseUrl.Contains("api.anthropic.com", StringComparison.OrdinalIgnoreCase)
                || baseUrl.Contains("generativelanguage.googleapis.com", StringComparison.OrdinalIgnoreCase)),
            Invoker = type == ProviderType.Echo ? null : UpstreamHandlerFactory.Create(),
        };
    }

    private static ModelEntry BuildModel(ModelOptions options, Dictionary<string, Provider> providers)
    {
        // Validated already: an unknown kind never reaches here.
        _ = ModelKinds.TryParse(options.Kind, out var kind);
        var deployments = options.Provider is { } single
            ? [new DeploymentOptions { Provider = single, Model = options.Model, Api = options.Api }]
            : options.Deployments;

        var surfaces = options.Endpoints is { } endpoints
            ? endpoints.Select(e => SurfaceNames.TryParse(e, out var s) ? s : Surface.Chat).ToHashSet()
            : Enum.GetValues<Surface>().Where(s => SurfaceNames.Fits(s, kind)).ToHashSet();

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
                    UpstreamDialect = UpstreamDialect(provider.Type, kind, d.Api ?? options.Api),
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
                }
                : null,
        };
    }

    private static Dialect? UpstreamDialect(ProviderType provider, ModelKind kind, string? api) => (provider, kind) switch
    {
        (ProviderType.Echo, _) => null,
        (ProviderType.OpenAI, ModelKind.Embedding) => Dialect.OpenAIEmbeddings,
        (ProviderType.OpenAI, ModelKind.Image) => Dialect.OpenAIImages,
        (ProviderType.OpenAI, ModelKind.Audio) => Dialect.OpenAIAudio,
        (ProviderType.OpenAI, _) => api == "responses" ? Dialect.OpenAIResponses : Dialect.OpenAIChat,
        (ProviderType.Anthropic, _) => Dialect.AnthropicMessages,
        (ProviderType.Gemini, ModelKind.Embedding) => Dialect.GeminiEmbed,
        (ProviderType.Gemini, _) => Dialect.GeminiGenerate,
        _ => null,
    };
}
