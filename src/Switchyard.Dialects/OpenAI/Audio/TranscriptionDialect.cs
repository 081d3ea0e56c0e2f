using System.Buffers;

namespace Switchyard.Dialects.OpenAI.Audio;

/// <summary>OpenAI transcription (<c>POST /v1/audio/transcriptions</c>): a multipart upload streamed up, JSON or text back.</summary>
public sealed class TranscriptionDialect : Dialect, IMediaDialect
{
    public static TranscriptionDialect Instance { get; } = new();

    public override string Name => "openai-transcription";

    public Surface Surface => AudioSurface.Instance;

    public IReadOnlyList<ClientRoute> Routes { get; } = OpenAIRoutes.Under(
        new ClientRoute("POST", "/audio/transcriptions", RouteOperation.Transcription) { OperationName = "transcription" });

    public void WriteError(GatewayError error, IBufferWriter<byte> output) => OpenAIErrors.Write(error, output);

    public string Path(string upstreamModel, bool stream) => "/audio/transcriptions";

    public GatewayError ReadError(int status, ReadOnlySpan<byte> body) => OpenAIErrors.Read(status, body);
}
