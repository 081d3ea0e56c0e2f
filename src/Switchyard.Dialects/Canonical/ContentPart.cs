using System.Text.Json;

namespace Switchyard.Dialects.Canonical;

/// <summary>
/// One piece of a message. Data with no neutral slot lives in <see cref="Extensions"/>, keyed
/// by the dialect that produced it (for example <c>anthropic.cache_control</c>), so it survives a
/// round trip through another surface.
/// </summary>
public abstract record ContentPart
{
    public Dictionary<string, JsonElement>? Extensions { get; init; }

    /// <summary>A provider cache hint placed on this part by the client (Anthropic <c>cache_control</c>).</summary>
    public JsonElement? CacheControl { get; init; }
}
