using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects;

/// <summary>
/// The passthrough stage of a streaming dialect: relays frames (with the contract's few edits)
/// while reading the usage they carry and noticing how the stream ends.
/// </summary>
public interface IUsageTap : ISseFrameHandler
{
    /// <summary>The latest usage the upstream reported, priced where the model has pricing.</summary>
    Usage? Usage { get; }

    /// <summary>The stream reached its dialect's normal end (finish chunk or [DONE]; message_stop).</summary>
    bool Completed { get; }

    /// <summary>The upstream reported an error in the stream; the frame was not relayed.</summary>
    GatewayError? Error { get; }
}
