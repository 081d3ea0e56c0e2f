using System.Text.Json;

namespace Switchyard.Dialects.Canonical;

public sealed record ChatMessage(Role Role, IReadOnlyList<ContentPart> Parts)
{
    /// <summary>OpenAI's optional participant name.</summary>
    public string? Name { get; init; }

    public Dictionary<string, JsonElement>? Extensions { get; init; }

    public static ChatMessage FromText(Role role, string text) => new(role, [new TextPart(text)]);

    /// <summary>The concatenated text parts, for places that need plain text.</summary>
    public string Text => string.Concat(Parts.OfType<TextPart>().Select(p => p.Text));
}
