using System.Buffers;
using System.Text.Json.Serialization.Metadata;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Framing;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects;

/// <summary>
/// The codec of one conversational dialect, both sides. Client side: read the caller's request,
/// write responses, streams and errors in the caller's shape. Upstream side: write a request for
/// a provider that speaks this dialect and read its answers.
/// </summary>
public abstract class ChatDialect : Dialect, IClientCodec, IUpstreamCodec
{
    public abstract Surface Surface { get; }

    public abstract IReadOnlyList<ClientRoute> Routes { get; }

    public virtual MediaUrlReader? MediaUrls => null;
    public virtual IReadOnlyList<string> RequiredFields => [];

    public virtual JsonTypeInfo? RequestShape => null;

    public virtual IReadOnlyList<string> CountFields => [];

    /// <summary>Parses a client request. Throws <see cref="GatewayException"/> for malformed input.</summary>
    public abstract ChatRequest ReadRequest(ReadOnlyMemory<byte> body, ParamAdjustments adjustments);

    public abstract void WriteResponse(ChatResponse response, IBufferWriter<byte> output);

    /// <summary>Maps neutral events to this dialect's frames, including its openers and terminators.</summary>
    public abstract IAsyncEnumerable<SseFrame> WriteStream(IAsyncEnumerable<StreamEvent> events, StreamWriteOptions options, CancellationToken cancellationToken);

    /// <summary>Writes the error envelope; the HTTP status is <see cref="GatewayError.Status"/> unless the dialect overrides it.</summary>
    public abstract void WriteError(GatewayError error, IBufferWriter<byte> output);

    public virtual int StatusOf(GatewayError error) => error.Status;

    public abstract string Path(string upstreamModel, bool stream);

    public abstract void WriteRequest(ChatRequest request, UpstreamTarget target, IBufferWriter<byte> output);

    public abstract ChatResponse ReadResponse(ReadOnlySpan<byte> body);

    public abstract IAsyncEnumerable<StreamEvent> ReadStream(IAsyncEnumerable<SseFrame> frames, CancellationToken cancellationToken);

    /// <summary>Turns an upstream's error answer into a gateway error, scrubbed of keys and addresses.</summary>
    public abstract GatewayError ReadError(int status, ReadOnlySpan<byte> body);

    public virtual StreamFraming Framing => StreamFraming.Sse;

    public virtual bool InlinesImages => false;

    public abstract UpstreamAbilities Abilities { get; }
}
