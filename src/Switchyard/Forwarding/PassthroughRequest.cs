using Switchyard.Dialects;
using Switchyard.Dialects.Json;
using Switchyard.Pipeline;

namespace Switchyard.Forwarding;

/// <summary>An OpenAI-dialect request prepared for passthrough.</summary>
public sealed class PassthroughRequest
{
    public required Dialect Dialect { get; init; }

    public required ReadOnlyMemory<byte> Body { get; init; }

    public required JsonTopLevel TopLevel { get; init; }

    public required string ModelId { get; init; }

    public required bool Stream { get; init; }

    public required OpenAIPassthroughPlan Plan { get; init; }

    public required ParamAdjustments Adjustments { get; init; }

    public required RequestTimings Timings { get; init; }
}
