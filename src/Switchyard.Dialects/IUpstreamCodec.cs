using System.Buffers;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Framing;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects;

/// <summary>The upstream side of a conversational dialect: write a request for a provider that speaks it, read its answers.</summary>
public interface IUpstreamCodec : IUpstreamEndpoint
{
    void WriteRequest(ChatRequest request, UpstreamTarget target, IBufferWriter<byte> output);

    ChatResponse ReadResponse(ReadOnlySpan<byte> body);

    IAsyncEnumerable<StreamEvent> ReadStream(IAsyncEnumerable<SseFrame> frames, CancellationToken cancellationToken);

    /// <summary>How this dialect's upstream streams are framed (SSE unless it says otherwise).</summary>
    StreamFraming Framing => StreamFraming.Sse;

    /// <summary>The upstream takes images inline only; the gateway fetches URLs for it.</summary>
    bool InlinesImages => false;

    /// <summary>What the dialect can declare of a request's tools and settings.</summary>
    UpstreamAbilities Abilities { get; }
}
