namespace Switchyard.Dialects.Canonical;

/// <summary>A file such as a PDF, by URL, inline base64, or plain text.</summary>
public sealed record DocumentPart : ContentPart
{
    public string? Url { get; init; }

    public string? Base64Data { get; init; }

    public string? Text { get; init; }

    public string? MediaType { get; init; }

    public string? Title { get; init; }

    public string? FileName { get; init; }
}
