namespace Switchyard.Dialects;

/// <summary>
/// What an upstream dialect can declare of a request's tools and settings, so a request from
/// another dialect can be fitted to it (<see cref="UpstreamAdapter"/>) without naming the dialect.
/// </summary>
public sealed record UpstreamAbilities
{
    /// <summary>The prefix of the dialect's own keys in the neutral model's extension bags (<c>anthropic.</c>).</summary>
    public required string ExtensionPrefix { get; init; }

    /// <summary>Extension keys (or key prefixes) of the client's dialect that the dialect writes back to its upstream.</summary>
    public IReadOnlyList<string> WrittenExtensions { get; init; } = [];

    /// <summary>Tools in namespaces and free-form (custom) tools are declared as they are.</summary>
    public bool NamespacesAndFreeFormTools { get; init; }

    /// <summary>A web search may read the provider's cache only (OpenAI's <c>external_web_access: false</c>).</summary>
    public bool CachedWebSearch { get; init; }

    /// <summary>The client's <c>prompt_cache_key</c> reaches the upstream.</summary>
    public bool PromptCacheKey { get; init; }
}
