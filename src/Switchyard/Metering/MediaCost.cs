using Switchyard.Catalog;

namespace Switchyard.Metering;

/// <summary>Prices of the media surfaces: per image (by size and quality), per audio second, per character.</summary>
internal static class MediaCost
{
    public static decimal? Images(Pricing? pricing, int count, string? size, string? quality)
    {
        if (pricing?.PerImage is not { } prices || count <= 0)
        {
            return null;
        }

        decimal? each = null;
        if (size is not null && quality is not null && prices.TryGetValue($"{size}/{quality}", out var exact))
        {
            each = exact;
        }
        else if (size is not null && prices.TryGetValue(size, out var bySize))
        {
            each = bySize;
        }
        else if (prices.TryGetValue("*", out var any))
        {
            each = any;
        }

        return each is decimal price ? Math.Max(pricing.MinimumCharge, price * count) : null;
    }

    public static decimal? AudioSeconds(Pricing? pricing, double seconds) =>
        pricing?.PerAudioSecond is decimal price ? Math.Max(pricing.MinimumCharge, Math.Round(price * (decimal)seconds, 8)) : null;

    public static decimal? Characters(Pricing? pricing, long characters) =>
        pricing?.PerMCharacters is decimal price ? Math.Max(pricing.MinimumCharge, Math.Round(price * characters / 1_000_000m, 8)) : null;
}
