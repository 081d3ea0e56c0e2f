namespace Switchyard.Dialects;

/// <summary>
/// What a neutral request is written for: the upstream's name of the model, and the gateway's
/// settings for it that are not the client's to send. The model name alone is a target with the
/// default settings.
/// </summary>
public readonly record struct UpstreamTarget(string Model)
{
    /// <summary>The output cap when neither the request nor the model sets one.</summary>
    public const int DefaultOutputCap = 4096;

    /// <summary>
    /// The output cap for dialects that require one when the client gave none (Anthropic's
    /// <c>max_tokens</c>): the model's configured <c>maxOutputTokens</c>, or <see cref="DefaultOutputCap"/>.
    /// </summary>
    public int DefaultMaxOutputTokens { get; init; } = DefaultOutputCap;

    public static implicit operator UpstreamTarget(string model) => new(model);
}
