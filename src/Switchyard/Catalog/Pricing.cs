namespace Switchyard.Catalog;

/// <summary>Credits per million tokens of each usage bucket, with defaults already applied, and the media units.</summary>
internal sealed record Pricing(
    decimal InputPerMTok,
    decimal CachedInputPerMTok,
    decimal CacheWritePerMTok,
    decimal OutputPerMTok,
    decimal ReasoningPerMTok,
    decimal MinimumCharge)
{
    /// <summary>Credits per image keyed <c>size/quality</c>, <c>size</c> or <c>*</c>.</summary>
    public IReadOnlyDictionary<string, decimal>? PerImage { get; init; }

    public decimal? PerAudioSecond { get; init; }

    public decimal? PerMCharacters { get; init; }

    /// <summary>Credits per web search the upstream ran (<see cref="Dialects.Canonical.Usage.WebSearchCalls"/>).</summary>
    public decimal WebSearchPerCall { get; init; }
}
