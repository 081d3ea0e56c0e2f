namespace Switchyard.Catalog;

/// <summary>Credits per million tokens of each usage bucket, with defaults already applied.</summary>
public sealed record Pricing(
    decimal InputPerMTok,
    decimal CachedInputPerMTok,
    decimal CacheWritePerMTok,
    decimal OutputPerMTok,
    decimal ReasoningPerMTok,
    decimal MinimumCharge);
