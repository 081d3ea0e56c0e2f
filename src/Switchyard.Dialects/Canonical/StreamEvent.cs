using System.Text.Json;

namespace Switchyard.Dialects.Canonical;

/// <summary>
/// The neutral stream grammar at wire granularity: every upstream delta becomes one event and
/// deltas are never coalesced. Parts are numbered from 0 in the order they start.
/// </summary>
public abstract record StreamEvent;

/// <summary>The first event of every stream.</summary>
public sealed record ResponseStarted(string Id, string Model) : StreamEvent
{
    public DateTimeOffset Created { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>Usage known at the start (Anthropic reports input tokens in <c>message_start</c>).</summary>
    public Usage? Usage { get; init; }
}

public sealed record PartStarted(int Index, PartKind Kind) : StreamEvent
{
    public string? ToolCallId { get; init; }

    public string? ToolName { get; init; }
}

public sealed record TextDelta(int Index, string Text) : StreamEvent;

public sealed record ReasoningDelta(int Index, string Text) : StreamEvent
{
    /// <summary>An opaque signature chunk (Anthropic <c>signature_delta</c>, Gemini <c>thoughtSignature</c>).</summary>
    public string? Signature { get; init; }

    public string? RedactedData { get; init; }
}

public sealed record RefusalDelta(int Index, string Text) : StreamEvent;

/// <summary>A fragment of a tool call's JSON arguments, passed on as soon as it arrives.</summary>
public sealed record ToolArgumentsDelta(int Index, string Json) : StreamEvent;

public sealed record PartCompleted(int Index) : StreamEvent
{
    public Dictionary<string, JsonElement>? Extensions { get; init; }
}

/// <summary>Usage so far; the latest one wins.</summary>
public sealed record UsageUpdated(Usage Usage) : StreamEvent;

/// <summary>The last event of a successful stream.</summary>
public sealed record ResponseCompleted(FinishReason FinishReason, Usage Usage) : StreamEvent;

/// <summary>The stream failed; writers turn this into their dialect's in-stream error frame and end.</summary>
public sealed record ResponseFailed(GatewayError Error) : StreamEvent;
