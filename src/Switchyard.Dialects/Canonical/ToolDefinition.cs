using System.Text.Json;

namespace Switchyard.Dialects.Canonical;

/// <summary>A function the model may call. <see cref="Parameters"/> is a JSON Schema object.</summary>
public sealed record ToolDefinition(string Name)
{
    /// <summary>
    /// The name of the tool that asks for the upstream's native web search (Gemini's
    /// <c>googleSearch</c>, which any client may send as a function tool of that name).
    /// </summary>
    public const string NativeSearch = "googleSearch";

    public string? Description { get; init; }

    public JsonElement? Parameters { get; init; }

    public bool? Strict { get; init; }

    public JsonElement? CacheControl { get; init; }
}
