using Switchyard.Dialects;
using Switchyard.Providers;

namespace Switchyard.Catalog;

/// <summary>A compiled upstream: where it is, how its requests are signed, and the connection pool that reaches it.</summary>
internal sealed class Provider
{
    public required string Name { get; init; }

    public required IProviderType Type { get; init; }

    /// <summary>The base URL without a trailing slash; dialect paths are appended to it.</summary>
    public required string BaseUrl { get; init; }

    /// <summary>Where its requests go and what their bodies need (a vendor's own paths unless a cloud says otherwise).</summary>
    public IUpstreamAddressing Addressing { get; init; } = DialectPaths.Instance;

    /// <summary>Puts the provider's credentials on each request; null when it has none.</summary>
    public IUpstreamSigner? Signer { get; init; }

    /// <summary>Headers every request carries unless the client sent them (Anthropic's version).</summary>
    public IReadOnlyList<(string Name, string Value)> DefaultHeaders { get; init; } = [];

    /// <summary>Client headers of the provider's own protocol that reach it.</summary>
    public IReadOnlyList<string> ForwardedHeaders { get; init; } = [];

    /// <summary>The provider's configured headers, which win over every other.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(600);

    public int Retries { get; init; } = 2;

    public int? MaxConcurrency { get; init; }

    public bool Search { get; init; }

    /// <summary>How to list the provider's models on a zero-configuration start, where its API can.</summary>
    public IModelDiscovery? Discovery { get; init; }

    /// <summary>The pooled HTTP client for this provider; null for in-process providers such as echo.</summary>
    public HttpMessageInvoker? Invoker { get; init; }

    public override string ToString() => $"{Name} ({Type.Name})";
}
