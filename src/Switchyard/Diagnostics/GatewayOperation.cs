using Switchyard.Catalog;

namespace Switchyard.Diagnostics;

/// <summary>
/// What kind of request the pipeline is serving, for telemetry: the client surface it came in on
/// and its <c>gen_ai.operation.name</c> (the convention's values where one fits). Instances are
/// static so every label value is an interned string.
/// </summary>
public sealed class GatewayOperation
{
    private GatewayOperation(Surface surface, string name)
    {
        Surface = surface;
        SurfaceName = SurfaceNames.All[(int)surface];
        Name = name;
    }

    public Surface Surface { get; }

    /// <summary>The surface as configured in <c>endpoints</c> (<c>chat</c>, <c>messages</c>, …).</summary>
    public string SurfaceName { get; }

    /// <summary>The <c>gen_ai.operation.name</c>.</summary>
    public string Name { get; }

    public static GatewayOperation Chat { get; } = new(Surface.Chat, "chat");

    public static GatewayOperation Responses { get; } = new(Surface.Responses, "chat");

    public static GatewayOperation Messages { get; } = new(Surface.Messages, "chat");

    public static GatewayOperation GeminiGenerate { get; } = new(Surface.Gemini, "generate_content");

    public static GatewayOperation Completions { get; } = new(Surface.Completions, "text_completion");

    public static GatewayOperation Embeddings { get; } = new(Surface.Embeddings, "embeddings");

    public static GatewayOperation GeminiEmbed { get; } = new(Surface.Gemini, "embeddings");

    public static GatewayOperation MessagesCountTokens { get; } = new(Surface.Messages, "count_tokens");

    public static GatewayOperation ResponsesInputTokens { get; } = new(Surface.Responses, "count_tokens");

    public static GatewayOperation GeminiCountTokens { get; } = new(Surface.Gemini, "count_tokens");

    public static GatewayOperation Images { get; } = new(Surface.Images, "image_generation");

    public static GatewayOperation Speech { get; } = new(Surface.Audio, "speech");

    public static GatewayOperation Transcription { get; } = new(Surface.Audio, "transcription");

    /// <summary>The operation of a conversational surface.</summary>
    public static GatewayOperation ForChat(Surface surface) => surface switch
    {
        Surface.Responses => Responses,
        Surface.Messages => Messages,
        Surface.Gemini => GeminiGenerate,
        Surface.Completions => Completions,
        _ => Chat,
    };

    public override string ToString() => $"{SurfaceName} {Name}";
}
