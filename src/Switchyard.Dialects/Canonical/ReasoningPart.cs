namespace Switchyard.Dialects.Canonical;

/// <summary>
/// Model reasoning. <see cref="Signature"/> (Anthropic, Gemini thought signatures) and
/// <see cref="EncryptedContent"/> (OpenAI Responses) are opaque and must be returned byte for byte.
/// </summary>
public sealed record ReasoningPart(string Text) : ContentPart
{
    public string? Signature { get; init; }

    /// <summary>Anthropic <c>redacted_thinking</c> data: reasoning the provider chose not to show.</summary>
    public string? RedactedData { get; init; }

    public string? EncryptedContent { get; init; }
}
