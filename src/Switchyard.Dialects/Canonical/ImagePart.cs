namespace Switchyard.Dialects.Canonical;

/// <summary>An image given either by URL or inline as base64 with its media type.</summary>
public sealed record ImagePart : ContentPart
{
    public string? Url { get; init; }

    public string? Base64Data { get; init; }

    public string? MediaType { get; init; }

    /// <summary>OpenAI's <c>detail</c> hint (low/high/auto).</summary>
    public string? Detail { get; init; }
}
