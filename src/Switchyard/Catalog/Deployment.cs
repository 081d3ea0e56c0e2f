using Switchyard.Dialects;

namespace Switchyard.Catalog;

/// <summary>One place a model is served: a provider, the upstream's name for it, a weight and the dialect it speaks.</summary>
internal sealed record Deployment(Provider Provider, string UpstreamModel, double Weight)
{
    /// <summary>The dialect the upstream is called in; null for in-process providers (echo).</summary>
    public Dialect? UpstreamDialect { get; init; }

    /// <summary>Computed once: it keys health state and labels every metric of the request path.</summary>
    public string Name { get; } = $"{Provider.Name}/{UpstreamModel}";
}
