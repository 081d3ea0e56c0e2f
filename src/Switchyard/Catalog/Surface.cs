namespace Switchyard.Catalog;

/// <summary>A client-facing API family a model may be reached through (<c>endpoints</c> in CONTRACT §2).</summary>
public enum Surface
{
    Chat,
    Responses,
    Messages,
    Gemini,
    Completions,
    Embeddings,
    Images,
    Audio,
}
