using System.Text.Json;

namespace Switchyard.Dialects.Canonical;

/// <summary>
/// A tool the provider runs or defines itself rather than one the caller describes (web search,
/// code execution, …). An upstream dialect with a native equivalent declares that; one without
/// refuses the request, unless <see cref="Optional"/> lets it be dropped.
/// </summary>
public sealed record HostedTool(HostedToolKind Kind)
{
    /// <summary>The tool's type word as the client wrote it (<c>web_search_preview</c>, <c>web_search_20250305</c>, <c>googleSearch</c>), for messages.</summary>
    public required string ClientType { get; init; }

    /// <summary>Where the client declared it (<c>tools[8]</c>), for messages and adjustments.</summary>
    public required string Param { get; init; }

    /// <summary>The name calls of the tool carry where the dialect gives it one (Anthropic's <c>web_search</c>).</summary>
    public string? Name { get; init; }

    /// <summary>
    /// The request still makes sense without the tool, in a way its API defines: a deferred tool
    /// (<c>defer_loading</c>), or a cache-only web search (<c>external_web_access: false</c>) where no
    /// upstream cache exists. An upstream without the tool drops it and reports the adjustment.
    /// </summary>
    public bool Optional { get; init; }

    /// <summary>Web search settings, for <see cref="HostedToolKind.WebSearch"/>.</summary>
    public WebSearchOptions? Search { get; init; }

    /// <summary>The definition as the client sent it, keyed <c>dialect.tool</c>, for an upstream of that dialect.</summary>
    public Dictionary<string, JsonElement>? Extensions { get; init; }
}
