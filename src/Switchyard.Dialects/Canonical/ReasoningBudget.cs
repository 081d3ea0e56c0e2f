namespace Switchyard.Dialects.Canonical;

/// <summary>
/// The one table between effort words and thinking budgets (docs/behaviour.md): low/medium/high map to
/// 1024/4096/16384 tokens, kept below the request's max tokens.
/// </summary>
public static class ReasoningBudget
{
    public const int Low = 1024;
    public const int Medium = 4096;
    public const int High = 16384;

    public static int? ToBudget(string? effort) => effort switch
    {
        "minimal" or "low" => Low,
        "medium" => Medium,
        "high" or "xhigh" => High,
        _ => null,
    };

    public static string ToEffort(int budget) => budget switch
    {
        <= Low => "low",
        <= Medium => "medium",
        _ => "high",
    };

    /// <summary>A budget that leaves room for an answer under <paramref name="maxTokens"/> (Anthropic needs budget &lt; max_tokens).</summary>
    public static int FitBelow(int budget, int? maxTokens) =>
        maxTokens is int max && budget >= max ? Math.Max(Low, max - 1) : budget;
}
