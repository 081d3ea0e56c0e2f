using Switchyard.Dialects;
using Switchyard.Dialects.Json;
using Switchyard.Pipeline;

namespace Switchyard.Forwarding;

/// <summary>A request prepared for passthrough to an upstream of its own dialect.</summary>
public sealed class PassthroughRequest
{
    public required PassthroughDialect Dialect { get; init; }

    public required ReadOnlyMemory<byte> Body { get; init; }

    public required JsonTopLevel TopLevel { get; init; }

    public required string ModelId { get; init; }

    public required bool Stream { get; init; }

    public required PassthroughPlan Plan { get; init; }

    public required ParamAdjustments Adjustments { get; init; }

    public required RequestTimings Timings { get; init; }

    /// <summary>The Responses conversation to capture the final answer into, on the Responses surface.</summary>
    public Conversations.ResponsesTurn? Turn { get; init; }

    /// <summary>Kept current as a stream is relayed, so an abandoned stream is charged for what it relayed.</summary>
    public Metering.RelayedUsage? Relayed { get; init; }

    /// <summary>Stream as one progressively written JSON array instead of SSE (Gemini without <c>alt=sse</c>).</summary>
    public bool JsonArray { get; init; }
}
