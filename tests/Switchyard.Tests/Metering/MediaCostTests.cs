using Switchyard.Catalog;
using Switchyard.Metering;

namespace Switchyard.Tests.Metering;

public sealed class MediaCostTests
{
    private static readonly Pricing Media = new(0, 0, 0, 0, 0, MinimumCharge: 0.001m)
    {
        PerImage = new Dictionary<string, decimal> { ["1024x1024"] = 0.04m, ["1024x1024/hd"] = 0.08m, ["*"] = 0.02m },
        PerAudioSecond = 0.0001m,
        PerMCharacters = 15m,
    };

    [Theory]
    [InlineData(2, "1024x1024", "hd", "0.16")]
    [InlineData(2, "1024x1024", "standard", "0.08")]
    [InlineData(3, "512x512", null, "0.06")]
    [InlineData(1, null, null, "0.02")]
    public void Prices_images_by_the_most_specific_size_and_quality(int count, string? size, string? quality, string expected)
    {
        var cost = MediaCost.Images(Media, count, size, quality);

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), cost);
    }

    [Fact]
    public void Prices_audio_by_the_second_and_speech_by_the_character_never_below_the_minimum()
    {
        Assert.Equal(0.006m, MediaCost.AudioSeconds(Media, 60));
        Assert.Equal(0.001m, MediaCost.AudioSeconds(Media, 1));
        Assert.Equal(0.015m, MediaCost.Characters(Media, 1000));
        Assert.Equal(0.001m, MediaCost.Characters(Media, 10));
    }

    [Fact]
    public void Leaves_unpriced_media_uncharged()
    {
        var tokensOnly = new Pricing(1, 1, 1, 1, 1, 0);

        Assert.Null(MediaCost.Images(tokensOnly, 1, "1024x1024", null));
        Assert.Null(MediaCost.AudioSeconds(tokensOnly, 10));
        Assert.Null(MediaCost.Characters(null, 10));
    }
}
