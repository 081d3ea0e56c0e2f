using System.Buffers;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Dialects.OpenAI.Embeddings;

/// <summary>OpenAI embeddings (<c>POST /v1/embeddings</c>), both sides; passed through to OpenAI-compatible upstreams.</summary>
public sealed class EmbeddingsDialect : Dialect, IEmbeddingCodec, IPassthrough
{
    public static EmbeddingsDialect Instance { get; } = new();

    public static Surface EmbeddingsSurface { get; } = new()
    {
        Name = "embeddings",
        Route = "/v1/embeddings",
        Kinds = new HashSet<ModelKind> { ModelKind.Embedding },
        Preferred = true,
    };

    public override string Name => "openai-embeddings";

    public Surface Surface => EmbeddingsSurface;

    public IReadOnlyList<ClientRoute> Routes { get; } = OpenAIRoutes.Under(
        new ClientRoute("POST", "/embeddings", RouteOperation.Embed) { OperationName = "embeddings" });

    public IReadOnlyList<string> RequiredFields { get; } = ["input"];

    public IReadOnlyList<string> CountFields { get; } = ["dimensions"];

    /// <summary>vLLM's OpenAI server takes images by URL on embeddings too.</summary>
    public MediaUrlReader MediaUrls => OpenAIMediaUrls.Instance;

    public void WriteError(GatewayError error, IBufferWriter<byte> output) => OpenAIErrors.Write(error, output);

    public string Path(string upstreamModel, bool stream) => "/embeddings";

    public GatewayError ReadError(int status, ReadOnlySpan<byte> body) => OpenAIErrors.Read(status, body);

    public EmbeddingRequest ReadRequest(ReadOnlySpan<byte> body, string? pathModel, ClientRoute route) => EmbeddingsCodec.ReadRequest(body);

    public void WriteResponse(EmbeddingResponse response, EmbeddingRequest request, ClientRoute route, IBufferWriter<byte> output) =>
        EmbeddingsCodec.WriteResponse(response, request.Base64, output);

    public void WriteRequest(EmbeddingRequest request, string upstreamModel, IBufferWriter<byte> output) =>
        EmbeddingsCodec.WriteRequest(request, upstreamModel, output);

    public EmbeddingResponse ReadResponse(ReadOnlySpan<byte> body, string model) => EmbeddingsCodec.ReadResponse(body);

    public IReadOnlyList<ParameterRange> Ranges => [];

    public Usage ReadUsage(ReadOnlySpan<byte> usageJson) => Chat.ChatCompletionsUsageTap.ReadUsage(usageJson);
}
