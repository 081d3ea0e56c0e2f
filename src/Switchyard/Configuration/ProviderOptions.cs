namespace Switchyard.Configuration;

public sealed class ProviderOptions
{
    public string Name { get; set; } = "";

    /// <summary><c>openai</c>, <c>anthropic</c>, <c>gemini</c> or <c>echo</c>.</summary>
    public string Type { get; set; } = "";

    public string? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    public double? TimeoutSeconds { get; set; }

    public Dictionary<string, string> Headers { get; set; } = [];

    public int? MaxConcurrency { get; set; }

    public int Retries { get; set; } = 2;

    public string AnthropicVersion { get; set; } = "2023-06-01";

    public bool? Search { get; set; }

    public override string ToString() => $"{Name} ({Type}, {BaseUrl}, key {(ApiKey is null ? "none" : "redacted")})";
}
