using Switchyard.Catalog;
using Switchyard.Dialects;

namespace Switchyard.Pipeline;

/// <summary>What a conversational route adds to its body: the dialect, and for Gemini the model and streaming mode from the URL.</summary>
public sealed record ChatRoute(ChatDialect Dialect, Surface Surface)
{
    /// <summary>The model named in the path (Gemini), overriding the body's.</summary>
    public string? PathModel { get; init; }

    /// <summary>Streaming decided by the path (Gemini's :streamGenerateContent), overriding the body's.</summary>
    public bool? PathStream { get; init; }

    /// <summary>Stream as one progressively written JSON array rather than SSE (Gemini without alt=sse).</summary>
    public bool JsonArray { get; init; }
}
