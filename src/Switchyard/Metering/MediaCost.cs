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

        return ImagePrice(prices, size, quality) is decimal price ? Math.Max(pricing.MinimumCharge, price * count) : null;
    }

    /// <summary>The price of one image: <c>size/quality</c>, else <c>size</c>, else <c>*</c> (a request without a size, or a size the table lacks); null when none applies.</summary>
    public static decimal? ImagePrice(IReadOnlyDictionary<string, decimal> prices, string? size, string? quality)
    {
        if (size is not null && quality is not null && prices.TryGetValue($"{size}/{quality}", out var exact))
        {
            return exact;
        }

        if (size is not null && prices.TryGetValue(size, out var bySize))
        {
            return bySize;
        }

        return prices.TryGetValue("*", out var any) ? any : null;
    }

    /// <summary>Characters of speech input as billed: Unicode characters, not UTF-16 units.</summary>
    public static long CountCharacters(string? input) => input is null ? 0 : input.EnumerateRunes().Count();

    public static decimal? AudioSeconds(Pricing? pricing, double seconds) =>
        pricing?.PerAudioSecond is decimal price ? Math.Max(pricing.MinimumCharge, Math.Round(price * (decimal)seconds, 8)) : null;

    public static decimal? Characters(Pricing? pricing, long characters) =>
        pricing?.PerMCharacters is decimal price ? Math.Max(pricing.MinimumCharge, Math.Round(price * characters / 1_000_000m, 8)) : null;
}
