namespace Switchyard.Console.Models;

/// <summary>One group's totals, tokens in their disjoint buckets.</summary>
public sealed record UsageRow(string Group, string Label, long Requests, long InputTokens, long CachedInputTokens, long CacheWriteTokens,
    long OutputTokens, long ReasoningTokens, decimal Cost);
