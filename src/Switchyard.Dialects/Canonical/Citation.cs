using System.Text.Json;

namespace Switchyard.Dialects.Canonical;

/// <summary>A source that supports some of an answer's text (OpenAI <c>url_citation</c>, Anthropic <c>web_search_result_location</c>, Gemini grounding).</summary>
public sealed record Citation(string Url)
{
    public string? Title { get; init; }

    /// <summary>Where the supported span starts in its <see cref="TextPart.Text"/> (UTF-16 code units); null with <see cref="EndIndex"/> for the whole part.</summary>
    public int? StartIndex { get; init; }

    /// <summary>Where the supported span ends, exclusive.</summary>
    public int? EndIndex { get; init; }

    /// <summary>The source's words the text relies on, where the provider quotes them.</summary>
    public string? CitedText { get; init; }

    /// <summary>Provider data with no neutral slot (Anthropic's <c>encrypted_index</c>), keyed <c>dialect.field</c>.</summary>
    public Dictionary<string, JsonElement>? Extensions { get; init; }
}
