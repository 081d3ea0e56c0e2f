using System.Buffers;

namespace Switchyard.Dialects.OpenAI.Images;

/// <summary>OpenAI image generation (<c>POST /v1/images/generations</c>), relayed to OpenAI-compatible upstreams.</summary>
public sealed class ImagesDialect : Dialect, IMediaDialect
{
    public static ImagesDialect Instance { get; } = new();

    public static Surface ImagesSurface { get; } = new()
    {
        Name = "images",
        Route = "/v1/images/generations",
        Kinds = new HashSet<ModelKind> { ModelKind.Image },
        Preferred = true,
    };

    public override string Name => "openai-images";

    public Surface Surface => ImagesSurface;

    public IReadOnlyList<ClientRoute> Routes { get; } = OpenAIRoutes.Under(
        new ClientRoute("POST", "/images/generations", RouteOperation.Images) { OperationName = "image_generation" });

    public IReadOnlyList<string> RequiredFields { get; } = ["prompt"];

    public IReadOnlyList<string> CountFields { get; } = ["n"];

    public void WriteError(GatewayError error, IBufferWriter<byte> output) => OpenAIErrors.Write(error, output);

    public string Path(string upstreamModel, bool stream) => "/images/generations";

    public GatewayError ReadError(int status, ReadOnlySpan<byte> body) => OpenAIErrors.Read(status, body);
}
