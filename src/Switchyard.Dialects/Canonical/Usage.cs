namespace Switchyard.Dialects.Canonical;

/// <summary>
/// Token usage in disjoint buckets, so no provider's counting convention is billed twice:
/// OpenAI's prompt_tokens includes cached tokens and completion_tokens includes reasoning;
/// here each token is in exactly one bucket.
/// </summary>
public sealed record Usage
{
    /// <summary>Input tokens neither read from nor written to a cache.</summary>
    public long InputTokens { get; init; }

    public long CacheReadTokens { get; init; }

    public long CacheWriteTokens { get; init; }

    /// <summary>Visible output tokens, reasoning excluded.</summary>
    public long OutputTokens { get; init; }

    public long ReasoningTokens { get; init; }

    /// <summary>
    /// Web searches the upstream ran on the request's behalf and bills per call: Anthropic's
    /// <c>server_tool_use.web_search_requests</c>, OpenAI's <c>web_search_call</c> items, a Chat
    /// Completions request with <c>web_search_options</c>. Priced by <c>pricing.webSearchPerCall</c>.
    /// </summary>
    public long WebSearchCalls { get; init; }

    /// <summary>Cost in credits, where the model has pricing.</summary>
    public decimal? Cost { get; init; }

    public long TotalInputTokens => InputTokens + CacheReadTokens + CacheWriteTokens;

    public long TotalOutputTokens => OutputTokens + ReasoningTokens;

    public long TotalTokens => TotalInputTokens + TotalOutputTokens;

    public static Usage Empty { get; } = new();

    /// <summary>From OpenAI's convention: totals that include the cached and reasoning sub-counts.</summary>
    public static Usage FromInclusive(long promptTokens, long cachedTokens, long completionTokens, long reasoningTokens) => new()
    {
        InputTokens = Math.Max(0, promptTokens - cachedTokens),
        CacheReadTokens = cachedTokens,
        OutputTokens = Math.Max(0, completionTokens - reasoningTokens),
        ReasoningTokens = reasoningTokens,
    };
}
