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

    /// <summary>The namespace of the called tool (<see cref="ToolCallPart.Namespace"/>).</summary>
    public string? ToolNamespace { get; init; }

    /// <summary>
    /// The called tool is free-form: its <see cref="ToolArgumentsDelta"/> fragments still build
    /// <c>{"input": text}</c>, and writers of dialects with free-form calls unwrap the text.
    /// </summary>
    public bool FreeForm { get; init; }
}

/// <summary>A part that arrives whole rather than in deltas: a provider-run call or its result.</summary>
public sealed record PartAdded(int Index, ContentPart Part) : StreamEvent;

/// <summary>A source cited by the text part <see cref="Index"/>; offsets are within that part's text.</summary>
public sealed record CitationAdded(int Index, Citation Citation) : StreamEvent;

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
