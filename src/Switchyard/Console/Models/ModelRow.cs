using Switchyard.Catalog;

namespace Switchyard.Console.Models;

public sealed record ModelRow(string Id, string Kind, IReadOnlyList<string> Surfaces, Pricing? Pricing, IReadOnlyList<string> Fallbacks,
    IReadOnlyList<DeploymentRow> Deployments);
