namespace Switchyard.Dialects.Gemini;

/// <summary>The Gemini API (provider type <c>gemini</c>): the model in the path, a key in <c>x-goog-api-key</c>.</summary>
public sealed class GeminiApi : NativeApi
{
    public static GeminiApi Instance { get; } = new();

    public override string Name => "gemini";

    public override string DefaultBaseUrl => "https://generativelanguage.googleapis.com";

    public override (string Key, string? BaseUrl)? Environment => ("GEMINI_API_KEY", null);

    public override string TelemetryName => "gcp.gemini";

    public override (string Header, string Prefix) KeyHeader => ("x-goog-api-key", "");

    public override IReadOnlyList<Dialect> Dialects { get; } = [GeminiGenerateDialect.Instance, GeminiEmbedDialect.Instance];

    public override Dialect? DialectFor(ModelKind kind, string? api) => kind switch
    {
        ModelKind.Embedding => GeminiEmbedDialect.Instance,
        ModelKind.Chat => GeminiGenerateDialect.Instance,
        _ => null,
    };

    /// <summary>Google's own endpoint has search grounding.</summary>
    public override bool SearchByDefault(string baseUrl) => baseUrl.Contains("generativelanguage.googleapis.com", StringComparison.OrdinalIgnoreCase);
}
