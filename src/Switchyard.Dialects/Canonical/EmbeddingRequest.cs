namespace Switchyard.Dialects.Canonical;

/// <summary>A neutral embeddings request: texts to embed, in order.</summary>
public sealed class EmbeddingRequest
{
    public required string Model { get; set; }

    public required List<string> Inputs { get; init; }

    /// <summary>Requested vector size (OpenAI <c>dimensions</c>, Gemini <c>outputDimensionality</c>).</summary>
    public int? Dimensions { get; init; }

    /// <summary>Gemini's task type (RETRIEVAL_QUERY, …), kept for Gemini upstreams.</summary>
    public string? TaskType { get; init; }

    /// <summary>The client wants OpenAI's base64 encoding of the vectors.</summary>
    public bool Base64 { get; init; }
}
