namespace Switchyard.Configuration;

internal sealed class ProviderOptions
{
    public string Name { get; set; } = "";

    /// <summary>A registered provider type (<c>openai</c>, <c>anthropic</c>, <c>gemini</c>, <c>echo</c>, …).</summary>
    public string Type { get; set; } = "";

    public string? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    public double? TimeoutSeconds { get; set; }

    public Dictionary<string, string> Headers { get; set; } = [];

    public int? MaxConcurrency { get; set; }

    public int Retries { get; set; } = 2;

    public bool? Search { get; set; }

    /// <summary>
    /// Every setting of the provider's section as written (keys like <c>anthropicVersion</c> or
    /// <c>auth:kind</c>), for the settings only its type reads; filled by the loader, not bound.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Settings { get; internal set; } = new Dictionary<string, string?>();

    public override string ToString() => $"{Name} ({Type}, {BaseUrl}, key {(ApiKey is null ? "none" : "redacted")})";
}
