using System.Text.Json;

namespace Switchyard.Dialects.Canonical;

/// <summary>Structured output: free text, any JSON object, or JSON matching <see cref="Schema"/>.</summary>
public sealed record ResponseFormat(ResponseFormatKind Kind)
{
    public string? Name { get; init; }

    public string? Description { get; init; }

    public JsonElement? Schema { get; init; }

    public bool? Strict { get; init; }
}
