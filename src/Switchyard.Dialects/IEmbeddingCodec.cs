using System.Buffers;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Dialects;

/// <summary>An embeddings dialect, both sides, over the neutral <see cref="EmbeddingRequest"/> and <see cref="EmbeddingResponse"/>.</summary>
public interface IEmbeddingCodec : IClientDialect, IUpstreamEndpoint
{
    /// <summary>Parses a client request; <paramref name="pathModel"/> is the model the route's path names, if any.</summary>
    EmbeddingRequest ReadRequest(ReadOnlySpan<byte> body, string? pathModel, ClientRoute route);

    void WriteResponse(EmbeddingResponse response, EmbeddingRequest request, ClientRoute route, IBufferWriter<byte> output);

    void WriteRequest(EmbeddingRequest request, string upstreamModel, IBufferWriter<byte> output);

    EmbeddingResponse ReadResponse(ReadOnlySpan<byte> body, string model);
}
