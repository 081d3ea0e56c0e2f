using System.Text.Json;

namespace Switchyard.Dialects.Canonical;

/// <summary>A function the model may call. <see cref="Parameters"/> is a JSON Schema object.</summary>
public sealed record ToolDefinition(string Name)
{
    public string? Description { get; init; }

    public JsonElement? Parameters { get; init; }

    public bool? Strict { get; init; }

    public JsonElement? CacheControl { get; init; }
}
