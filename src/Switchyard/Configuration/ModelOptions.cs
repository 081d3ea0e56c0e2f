namespace Switchyard.Configuration;

internal sealed class ModelOptions
{
    public string Id { get; set; } = "";

    /// <summary>Shorthand for one deployment: its provider.</summary>
    public string? Provider { get; set; }

    /// <summary>Shorthand for one deployment: the upstream's name for the model (default: <see cref="Id"/>).</summary>
    public string? Model { get; set; }

    /// <summary><c>chat</c> (default), <c>embedding</c>, <c>image</c> or <c>audio</c>.</summary>
    public string Kind { get; set; } = "chat";

    /// <summary>For openai providers: <c>chat</c> (default) or <c>responses</c>.</summary>
    public string? Api { get; set; }

    public List<string>? Endpoints { get; set; }

    public int? ContextWindow { get; set; }

    public int? MaxOutputTokens { get; set; }

    public PricingOptions? Pricing { get; set; }

    public List<DeploymentOptions> Deployments { get; set; } = [];

    public List<string> Fallbacks { get; set; } = [];
}
