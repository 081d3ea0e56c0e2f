using System.Buffers;

namespace Switchyard.Dialects.Sse;

/// <summary>A passthrough stage: sees each complete raw frame and writes what the client should get instead (usually the same bytes).</summary>
public interface ISseFrameHandler
{
    void OnFrame(ReadOnlySpan<byte> frame, IBufferWriter<byte> output);

    /// <summary>The upstream body ended; write anything held back.</summary>
    void OnEnd(IBufferWriter<byte> output);

    /// <summary>
    /// The stream ends in error after it reached the client: write the dialect's own in-stream
    /// error frame, the last thing the client gets.
    /// </summary>
    void OnFailure(GatewayError error, IBufferWriter<byte> output);
}
