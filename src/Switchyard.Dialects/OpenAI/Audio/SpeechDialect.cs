using System.Buffers;

namespace Switchyard.Dialects.OpenAI.Audio;

/// <summary>OpenAI speech (<c>POST /v1/audio/speech</c>): JSON in, audio streamed back.</summary>
public sealed class SpeechDialect : Dialect, IMediaDialect
{
    public static SpeechDialect Instance { get; } = new();

    public override string Name => "openai-speech";

    public Surface Surface => AudioSurface.Instance;

    public IReadOnlyList<ClientRoute> Routes { get; } = OpenAIRoutes.Under(
        new ClientRoute("POST", "/audio/speech", RouteOperation.Speech) { OperationName = "speech" });

    public IReadOnlyList<string> RequiredFields { get; } = ["input"];

    public void WriteError(GatewayError error, IBufferWriter<byte> output) => OpenAIErrors.Write(error, output);

    public string Path(string upstreamModel, bool stream) => "/audio/speech";

    public GatewayError ReadError(int status, ReadOnlySpan<byte> body) => OpenAIErrors.Read(status, body);
}
