namespace Switchyard.Catalog;

/// <summary>A compiled upstream: where it is, how to authenticate, and the connection pool that reaches it.</summary>
public sealed class Provider
{
    public required string Name { get; init; }

    public required ProviderType Type { get; init; }

    /// <summary>The base URL without a trailing slash; dialect paths are appended to it.</summary>
    public required string BaseUrl { get; init; }

    public string? ApiKey { get; init; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(600);

    public int Retries { get; init; } = 2;

    public int? MaxConcurrency { get; init; }

    public string AnthropicVersion { get; init; } = "2023-06-01";

    public bool Search { get; init; }

    /// <summary>The pooled HTTP client for this provider; null for in-process providers such as echo.</summary>
    public HttpMessageInvoker? Invoker { get; init; }

    public override string ToString() => $"{Name} ({Type})";
}
