namespace Switchyard.Dialects.Canonical;

/// <summary>
/// How much the model should think: an effort word (OpenAI), a token budget (Anthropic, Gemini 2.x)
/// or both. Codecs translate one into the other with <see cref="ReasoningBudget"/>.
/// </summary>
public sealed record ReasoningOptions
{
    /// <summary>minimal, low, medium, high (open vocabulary).</summary>
    public string? Effort { get; init; }

    public int? BudgetTokens { get; init; }

    /// <summary>Responses' reasoning summary request (auto, concise, detailed).</summary>
    public string? Summary { get; init; }

    /// <summary>True when the client explicitly turned reasoning off.</summary>
    public bool Disabled { get; init; }
}
