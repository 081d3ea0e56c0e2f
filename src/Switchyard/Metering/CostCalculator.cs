using Switchyard.Catalog;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Metering;

/// <summary>Prices usage: each disjoint bucket at its own rate, never below the model's minimum charge.</summary>
internal static class CostCalculator
{
    private const decimal PerMillion = 1_000_000m;

    public static decimal Cost(Pricing pricing, Usage usage)
    {
        var cost = (usage.InputTokens * pricing.InputPerMTok
            + usage.CacheReadTokens * pricing.CachedInputPerMTok
            + usage.CacheWriteTokens * pricing.CacheWritePerMTok
            + usage.OutputTokens * pricing.OutputPerMTok
            + usage.ReasoningTokens * pricing.ReasoningPerMTok) / PerMillion
            + usage.WebSearchCalls * pricing.WebSearchPerCall;
        return Math.Max(pricing.MinimumCharge, Math.Round(cost, 8, MidpointRounding.AwayFromZero));
    }

    /// <summary>The usage with its cost filled in when the model has pricing.</summary>
    public static Usage Priced(Pricing? pricing, Usage usage) =>
        pricing is null ? usage : usage with { Cost = Cost(pricing, usage) };
}
