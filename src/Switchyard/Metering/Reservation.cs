using System.Text.Json;
using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;

namespace Switchyard.Metering;

/// <summary>
/// A request's worst case, reserved against <c>tpm</c> and credits before it goes upstream
/// (CONTRACT §4): an input estimate from the body and the most output it may produce.
/// </summary>
public readonly record struct Reservation(long InputTokens, long OutputTokens)
{
    /// <summary>The output cap when neither the request nor the model sets one.</summary>
    public const int DefaultMaxOutputTokens = 4096;

    // A string this long with no space in its head is binary (base64 image or audio), not prose.
    private const int BinaryStringBytes = 2048;

    // What a binary part counts for: about a high-detail image; billing settles to the real figure.
    private const long BinaryPartTokens = 1_000;

    public long Tokens => InputTokens + OutputTokens;

    /// <summary>The worst case of a media request in its own unit (images, characters), where known before it runs.</summary>
    public decimal? MediaCost { get; init; }

    /// <summary>The reservation of a generation request: its body's text, and its max tokens or the model's.</summary>
    public static Reservation ForGeneration(ReadOnlySpan<byte> body, JsonTopLevel topLevel, ModelEntry model) =>
        new(EstimateInput(body), MaxOutputTokens(body, topLevel) ?? model.MaxOutputTokens ?? DefaultMaxOutputTokens);

    /// <summary>The reservation of an embeddings request: input only.</summary>
    public static Reservation ForEmbeddings(ReadOnlySpan<byte> body) => new(EstimateInput(body), 0);

    /// <summary>
    /// The reservation of an image or speech request: its worst case in the model's media unit —
    /// <c>n</c> images at the dearest image price, or the input's characters.
    /// </summary>
    public static Reservation ForMedia(ReadOnlySpan<byte> body, JsonTopLevel topLevel, Pricing? pricing, bool images)
    {
        decimal? cost = null;
        if (images && pricing?.PerImage is { Count: > 0 } prices)
        {
            // A size the table cannot price (and no "*" to fall back on) would be served for nothing.
            var size = topLevel.GetString(body, "size"u8);
            if (Metering.MediaCost.ImagePrice(prices, size, topLevel.GetString(body, "quality"u8)) is not decimal each)
            {
                throw GatewayException.InvalidRequest(size is null
                    ? $"This model's images are priced by size only; send 'size' as one of: {string.Join(", ", prices.Keys.Order(StringComparer.Ordinal))}."
                    : $"This model has no price for images of size '{size}'; use one of: {string.Join(", ", prices.Keys.Order(StringComparer.Ordinal))}.", "size");
            }

            var count = topLevel.GetNumber(body, "n"u8) is double n && n >= 1 ? (int)Math.Min(n, int.MaxValue) : 1;
            cost = Math.Max(pricing.MinimumCharge, each * count);
        }
        else if (!images)
        {
            cost = Metering.MediaCost.Characters(pricing, Metering.MediaCost.CountCharacters(topLevel.GetString(body, "input"u8)));
        }

        return new Reservation(0, 0) { MediaCost = cost };
    }

    /// <summary>The reservation priced at the dearest rate each side may be billed at, and never below the minimum charge.</summary>
    public decimal Cost(Pricing? pricing)
    {
        if (pricing is null)
        {
            return 0m;
        }

        if (MediaCost is decimal media)
        {
            return Math.Max(pricing.MinimumCharge, media);
        }

        var input = Math.Max(pricing.InputPerMTok, Math.Max(pricing.CachedInputPerMTok, pricing.CacheWritePerMTok));
        var output = Math.Max(pricing.OutputPerMTok, pricing.ReasoningPerMTok);
        var cost = (InputTokens * input + OutputTokens * output) / 1_000_000m;
        return Math.Max(pricing.MinimumCharge, Math.Round(cost, 8, MidpointRounding.AwayFromZero));
    }

    /// <summary>
    /// About four characters a token over the body's string values (property names and JSON
    /// syntax excluded), with binary strings counted as a fixed amount each so an inline image
    /// does not reserve a whole minute's tokens. One pass, no allocation.
    /// </summary>
    public static long EstimateInput(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
        long characters = 0;
        long binary = 0;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    continue;
                }

                var value = reader.HasValueSequence ? default : reader.ValueSpan;
                if (value.Length > BinaryStringBytes && value[..256].IndexOf((byte)' ') < 0)
                {
                    binary++;
                }
                else
                {
                    characters += value.Length;
                }
            }
        }
        catch (JsonException)
        {
            // The codecs report malformed bodies; the estimate counts what it could read.
        }

        return Math.Max(1, (characters + 3) / 4 + binary * BinaryPartTokens);
    }

    /// <summary>The request's own output cap in any dialect: max_tokens, max_completion_tokens, max_output_tokens, generationConfig.maxOutputTokens.</summary>
    public static long? MaxOutputTokens(ReadOnlySpan<byte> body, JsonTopLevel topLevel)
    {
        if ((Top(body, topLevel, "max_completion_tokens"u8) ?? Top(body, topLevel, "max_tokens"u8) ?? Top(body, topLevel, "max_output_tokens"u8)) is { } top)
        {
            return top;
        }

        if (topLevel.TryGet(body, "generationConfig"u8, out var config) && config.ValueKind == JsonTokenType.StartObject)
        {
            var reader = new Utf8JsonReader(body[config.Value]);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMax = reader.ValueTextEquals("maxOutputTokens"u8) || reader.ValueTextEquals("max_output_tokens"u8);
                reader.Read();
                if (isMax && reader.TokenType == JsonTokenType.Number)
                {
                    return reader.TryGetInt64(out var value) ? Math.Max(0, value) : (long)Math.Max(0, reader.GetDouble());
                }

                reader.Skip();
            }
        }

        return null;
    }

    private static long? Top(ReadOnlySpan<byte> body, JsonTopLevel topLevel, ReadOnlySpan<byte> name) =>
        topLevel.TryGet(body, name, out var property) && property.ValueKind == JsonTokenType.Number ? Number(body[property.Value]) : null;

    private static long Number(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        return reader.TryGetInt64(out var value) ? Math.Max(0, value) : (long)Math.Clamp(reader.GetDouble(), 0, long.MaxValue);
    }
}
