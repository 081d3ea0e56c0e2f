namespace Switchyard.Catalog;

/// <summary>Names, paths and fit of <see cref="Surface"/>s, for configuration and for the capability errors of CONTRACT §4.</summary>
public static class SurfaceNames
{
    public static readonly string[] All = ["chat", "responses", "messages", "gemini", "completions", "embeddings", "images", "audio"];

    public static bool TryParse(string? value, out Surface surface)
    {
        var index = Array.IndexOf(All, value);
        surface = index < 0 ? Surface.Chat : (Surface)index;
        return index >= 0;
    }

    /// <summary>Whether a surface can serve a model of this kind at all.</summary>
    public static bool Fits(Surface surface, ModelKind kind) => kind switch
    {
        ModelKind.Chat => surface is Surface.Chat or Surface.Responses or Surface.Messages or Surface.Gemini or Surface.Completions,
        ModelKind.Embedding => surface is Surface.Embeddings or Surface.Gemini,
        ModelKind.Image => surface is Surface.Images,
        ModelKind.Audio => surface is Surface.Audio,
        _ => false,
    };

    /// <summary>The route a client should use for a surface, as named in error messages.</summary>
    public static string Route(Surface surface) => surface switch
    {
        Surface.Chat => "/v1/chat/completions",
        Surface.Responses => "/v1/responses",
        Surface.Messages => "/v1/messages",
        Surface.Gemini => "/v1beta/models/{model}:generateContent",
        Surface.Completions => "/v1/completions",
        Surface.Embeddings => "/v1/embeddings",
        Surface.Images => "/v1/images/generations",
        _ => "/v1/audio/transcriptions or /v1/audio/speech",
    };

    /// <summary>The surface a model of this kind is best used through, for "use X instead" messages.</summary>
    public static Surface Preferred(ModelKind kind) => kind switch
    {
        ModelKind.Embedding => Surface.Embeddings,
        ModelKind.Image => Surface.Images,
        ModelKind.Audio => Surface.Audio,
        _ => Surface.Chat,
    };
}
