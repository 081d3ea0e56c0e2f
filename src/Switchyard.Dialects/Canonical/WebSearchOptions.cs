namespace Switchyard.Dialects.Canonical;

/// <summary>How a web search may run; each dialect carries the subset it has and reports the rest dropped.</summary>
public sealed record WebSearchOptions
{
    /// <summary>Only these domains (and their subdomains) may be searched.</summary>
    public IReadOnlyList<string>? AllowedDomains { get; init; }

    public IReadOnlyList<string>? BlockedDomains { get; init; }

    /// <summary>The most searches one answer may run (Anthropic <c>max_uses</c>).</summary>
    public int? MaxUses { get; init; }

    /// <summary>low, medium or high: how much of the context window results may take (OpenAI <c>search_context_size</c>).</summary>
    public string? ContextSize { get; init; }

    /// <summary>The user's approximate location, to localise results.</summary>
    public UserLocation? UserLocation { get; init; }

    /// <summary>Search only the provider's cache, never the live web (OpenAI <c>external_web_access: false</c>).</summary>
    public bool CacheOnly { get; init; }
}
