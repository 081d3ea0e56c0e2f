namespace Switchyard.Configuration;

/// <summary>Prices in credits per million tokens of each disjoint usage bucket.</summary>
internal sealed class PricingOptions
{
    public decimal InputPerMTok { get; set; }

    /// <summary>Cache reads; defaults to the input price.</summary>
    public decimal? CachedInputPerMTok { get; set; }

    /// <summary>Cache writes; defaults to the input price.</summary>
    public decimal? CacheWritePerMTok { get; set; }

    public decimal OutputPerMTok { get; set; }

    /// <summary>Reasoning tokens; defaults to the output price.</summary>
    public decimal? ReasoningPerMTok { get; set; }

    public decimal MinimumCharge { get; set; }

    /// <summary>Image models: credits per image, keyed <c>size/quality</c>, <c>size</c> or <c>*</c> (most specific wins).</summary>
    public Dictionary<string, decimal>? PerImage { get; set; }

    /// <summary>Transcription models: credits per second of audio.</summary>
    public decimal? PerAudioSecond { get; set; }

    /// <summary>Speech models: credits per million input characters.</summary>
    public decimal? PerMCharacters { get; set; }

    /// <summary>Credits per web search the upstream runs for a request (Anthropic web search, OpenAI web search calls).</summary>
    public decimal WebSearchPerCall { get; set; }
}
