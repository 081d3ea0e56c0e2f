namespace Switchyard.Dialects.OpenAI.Audio;

/// <summary>The audio surface: speech and transcription share it, as audio models serve both.</summary>
internal static class AudioSurface
{
    public static Surface Instance { get; } = new()
    {
        Name = "audio",
        Route = "/v1/audio/transcriptions or /v1/audio/speech",
        Kinds = new HashSet<ModelKind> { ModelKind.Audio },
        Preferred = true,
    };
}
