using System.Text.Json;

namespace Switchyard.Dialects.Canonical;

/// <summary>One page a web search returned.</summary>
public sealed record WebSource(string Url)
{
    public string? Title { get; init; }

    /// <summary>How old the page is, as the provider words it (Anthropic <c>page_age</c>).</summary>
    public string? PageAge { get; init; }

    /// <summary>Provider data with no neutral slot (Anthropic's <c>encrypted_content</c>), keyed <c>dialect.field</c>.</summary>
    public Dictionary<string, JsonElement>? Extensions { get; init; }
}
