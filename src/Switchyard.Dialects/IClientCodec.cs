using System.Buffers;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects;

/// <summary>The client side of a conversational dialect: read the caller's request, write the answer or its stream.</summary>
public interface IClientCodec : IClientDialect
{
    /// <summary>Parses a client request. Throws <see cref="GatewayException"/> for malformed input.</summary>
    ChatRequest ReadRequest(ReadOnlyMemory<byte> body, ParamAdjustments adjustments);

    void WriteResponse(ChatResponse response, IBufferWriter<byte> output);

    /// <summary>Maps neutral events to this dialect's frames, including its openers and terminators.</summary>
    IAsyncEnumerable<SseFrame> WriteStream(IAsyncEnumerable<StreamEvent> events, StreamWriteOptions options, CancellationToken cancellationToken);
}
