using Switchyard.Dialects;

namespace Switchyard.Catalog;

/// <summary>A model clients can name, compiled from configuration.</summary>
internal sealed class ModelEntry
{
    public required string Id { get; init; }

    public required ModelKind Kind { get; init; }

    public required IReadOnlySet<Surface> Surfaces { get; init; }

    /// <summary>True when <c>endpoints</c> was configured (restricting the surfaces below what the kind allows).</summary>
    public bool SurfacesRestricted { get; init; }

    public required IReadOnlyList<Deployment> Deployments { get; init; }

    public IReadOnlyList<string> Fallbacks { get; init; } = [];

    public int? ContextWindow { get; init; }

    public int? MaxOutputTokens { get; init; }

    public Pricing? Pricing { get; init; }

    /// <summary>Reported as <c>owned_by</c> in model listings.</summary>
    public string OwnedBy => Deployments.Count > 0 ? Deployments[0].Provider.Name : "switchyard";
}
