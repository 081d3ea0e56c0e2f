using System.Text.Json;

namespace Switchyard.Dialects.Canonical;

/// <summary>A whole (non-streamed) answer: one assistant message with its parts.</summary>
public sealed class ChatResponse
{
    public required string Id { get; set; }

    /// <summary>The model id reported to the client: the id it asked for, not the upstream name.</summary>
    public required string Model { get; set; }

    public DateTimeOffset Created { get; init; } = DateTimeOffset.UtcNow;

    public required List<ContentPart> Parts { get; init; }

    public FinishReason FinishReason { get; init; } = FinishReason.Stop;

    public Usage Usage { get; set; } = Usage.Empty;

    public JsonElement? Metadata { get; set; }

    /// <summary>The request's settings its dialect's answer repeats (<see cref="ChatRequest.Echo"/>).</summary>
    public JsonElement? Echo { get; set; }

    public Dictionary<string, JsonElement>? Extensions { get; init; }
}
