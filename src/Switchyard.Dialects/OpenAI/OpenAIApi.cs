using System.Text.Json;
using Switchyard.Dialects.OpenAI.Audio;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.OpenAI.Completions;
using Switchyard.Dialects.OpenAI.Embeddings;
using Switchyard.Dialects.OpenAI.Images;
using Switchyard.Dialects.OpenAI.Responses;

namespace Switchyard.Dialects.OpenAI;

/// <summary>
/// OpenAI's API and every OpenAI-compatible server (vLLM, Ollama, LM Studio, …): provider type
/// <c>openai</c>, whose <c>baseUrl</c> is the prefix the paths are appended to (<c>…/v1</c>).
/// </summary>
public sealed class OpenAIApi : NativeApi, IModelDiscovery
{
    public static OpenAIApi Instance { get; } = new();

    public override string Name => "openai";

    public override string DefaultBaseUrl => "https://api.openai.com/v1";

    /// <summary>Anthropic and Gemini have one public endpoint; OpenAI-compatible servers are anywhere.</summary>
    public override string? BaseUrlRequired => "it ends in /v1";

    public override (string Key, string? BaseUrl)? Environment => ("OPENAI_API_KEY", "OPENAI_BASE_URL");

    public override string TelemetryName => "openai";

    public override (string Header, string Prefix) KeyHeader => ("Authorization", "Bearer ");

    public override IReadOnlyList<string> ForwardedHeaders { get; } = ["openai-beta"];

    public override IReadOnlyList<Dialect> Dialects { get; } =
    [
        ChatCompletionsDialect.Instance,
        CompletionsDialect.Instance,
        OpenAIResponsesDialect.Instance,
        EmbeddingsDialect.Instance,
        ImagesDialect.Instance,
        SpeechDialect.Instance,
        TranscriptionDialect.Instance,
    ];

    /// <summary>Chat models are called through Chat Completions unless the model says <c>"api": "responses"</c>.</summary>
    public override Dialect? DialectFor(ModelKind kind, string? api) => kind switch
    {
        ModelKind.Embedding => EmbeddingsDialect.Instance,
        ModelKind.Image => ImagesDialect.Instance,
        ModelKind.Audio => SpeechDialect.Instance,
        _ => api == "responses" ? OpenAIResponsesDialect.Instance : ChatCompletionsDialect.Instance,
    };

    /// <summary>OpenAI's own API has web search; a compatible server is not assumed to.</summary>
    public override bool SearchByDefault(string baseUrl) => baseUrl.Contains("api.openai.com", StringComparison.OrdinalIgnoreCase);

    public override IModelDiscovery? Discovery => this;

    string IModelDiscovery.Path => "/models";

    /// <summary>OpenAI's listing does not say what a model is; its naming does.</summary>
    IReadOnlyList<(string Id, ModelKind Kind)> IModelDiscovery.Read(ReadOnlySpan<byte> answer)
    {
        var reader = new Utf8JsonReader(answer);
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return data.EnumerateArray()
            .Select(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null)
            .OfType<string>()
            .Select(id => (id, GuessKind(id)))
            .ToList();
    }

    private static ModelKind GuessKind(string id) => id switch
    {
        _ when id.Contains("embed", StringComparison.OrdinalIgnoreCase) => ModelKind.Embedding,
        _ when id.StartsWith("dall-e", StringComparison.OrdinalIgnoreCase) || id.StartsWith("gpt-image", StringComparison.OrdinalIgnoreCase) => ModelKind.Image,
        _ when id.StartsWith("whisper", StringComparison.OrdinalIgnoreCase) || id.StartsWith("tts", StringComparison.OrdinalIgnoreCase)
            || id.Contains("transcribe", StringComparison.OrdinalIgnoreCase) => ModelKind.Audio,
        _ => ModelKind.Chat,
    };
}
