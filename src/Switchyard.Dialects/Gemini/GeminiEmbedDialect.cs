using System.Buffers;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Dialects.Gemini;

/// <summary>Gemini <c>:embedContent</c> and <c>:batchEmbedContents</c>, both sides; upstream calls always take the batch form.</summary>
public sealed class GeminiEmbedDialect : Dialect, IEmbeddingCodec
{
    public static GeminiEmbedDialect Instance { get; } = new();

    public override string Name => "gemini-embed";

    public Surface Surface => GeminiGenerateDialect.GeminiSurface;

    public IReadOnlyList<ClientRoute> Routes { get; } =
    [
        new("POST", "/v1beta/models/{model}:embedContent", RouteOperation.Embed) { OperationName = "embeddings", AllowsQueryKey = true },
        new("POST", "/v1beta/models/{model}:batchEmbedContents", RouteOperation.Embed) { OperationName = "embeddings", AllowsQueryKey = true, Batch = true },
    ];

    public MediaUrlReader MediaUrls => GenerateContentMediaUrls.Instance;

    public void WriteError(GatewayError error, IBufferWriter<byte> output) => GeminiErrors.Write(error, output);

    public string Path(string upstreamModel, bool stream) => $"/v1beta/models/{Uri.EscapeDataString(upstreamModel)}:batchEmbedContents";

    public GatewayError ReadError(int status, ReadOnlySpan<byte> body) => GeminiErrors.Read(status, body);

    public EmbeddingRequest ReadRequest(ReadOnlySpan<byte> body, string? pathModel, ClientRoute route) =>
        EmbedContentCodec.ReadRequest(body, pathModel ?? string.Empty, route.Batch);

    public void WriteResponse(EmbeddingResponse response, EmbeddingRequest request, ClientRoute route, IBufferWriter<byte> output) =>
        EmbedContentCodec.WriteResponse(response, route.Batch, output);

    public void WriteRequest(EmbeddingRequest request, string upstreamModel, IBufferWriter<byte> output) =>
        EmbedContentCodec.WriteRequest(request, upstreamModel, output);

    public EmbeddingResponse ReadResponse(ReadOnlySpan<byte> body, string model) => EmbedContentCodec.ReadResponse(body, model);
}
