namespace Switchyard.Dialects;

/// <summary>
/// Every dialect and native API the gateway knows, registered here and nowhere else: a dialect's
/// folder plus its line below is all it takes to add one. The host maps the client routes,
/// provider types and surfaces it finds here.
/// </summary>
public static class DialectRegistry
{
    /// <summary>The vendors' own APIs, each with its dialects.</summary>
    public static IReadOnlyList<NativeApi> Apis { get; } =
    [
        OpenAI.OpenAIApi.Instance,
        Anthropic.AnthropicApi.Instance,
        Gemini.GeminiApi.Instance,
    ];

    /// <summary>Dialects that belong to no native API (spoken by cloud providers).</summary>
    public static IReadOnlyList<Dialect> Standalone { get; } =
    [
        Bedrock.ConverseDialect.Instance,
    ];

    public static IReadOnlyList<Dialect> All { get; } = [.. Apis.SelectMany(api => api.Dialects), .. Standalone];

    /// <summary>The client-facing dialects, whose routes the host maps.</summary>
    public static IReadOnlyList<IClientDialect> Clients { get; } = [.. All.OfType<IClientDialect>()];

    /// <summary>Every surface, in registration order.</summary>
    public static IReadOnlyList<Surface> Surfaces { get; } = [.. Clients.Select(c => c.Surface).Distinct()];

    /// <summary>
    /// The envelope of gateway routes that belong to no dialect (<c>/v1/key</c>): OpenAI's, the one
    /// most clients parse.
    /// </summary>
    public static IClientDialect DefaultErrors => OpenAI.Chat.ChatCompletionsDialect.Instance;

    public static Surface? FindSurface(string? name) => Surfaces.FirstOrDefault(s => s.Name == name);

    public static NativeApi? FindApi(string? name) => Apis.FirstOrDefault(a => a.Name == name);

    /// <summary>The surface a model of this kind is best used through, for "use … instead" messages.</summary>
    public static Surface PreferredSurface(ModelKind kind) => Surfaces.First(s => s.Preferred && s.Serves(kind));
}
