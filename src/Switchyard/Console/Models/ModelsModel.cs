namespace Switchyard.Console.Models;

/// <summary>The catalog with live health; key holders see only the models their key may use, without deployments.</summary>
public sealed record ModelsModel(IReadOnlyList<ModelRow> Models, bool ShowDeployments);
