using System.Text.Json;
using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;

namespace Switchyard.Metering;

/// <summary>
/// A request's worst case, reserved against <c>tpm</c> and credits before it goes upstream
/// (docs/behaviour.md): an input estimate from the body and the most output it may produce.
/// <see cref="InputTokens"/> is the estimate the model's context window is held to. The input
/// starts as its UTF-8 byte bound, counted in the pass that indexes the body; it is tokenized
/// (<see cref="Counted"/>) only where the count decides something — a budget to reserve against,
/// a context window the bound is over, a charge the upstream reported no input for — because
/// tokenizing costs 35-60 µs a KB, milliseconds for an agent's long conversation.
/// </summary>
internal readonly record struct Reservation(long InputTokens, long OutputTokens)
{
    // n, best_of and candidateCount beyond this are the upstream's to refuse; the reservation stops growing here.
    private const long MaxChoices = 128;

    public long Tokens => InputTokens + OutputTokens;

    /// <summary>The worst case of a media request in its own unit (images, characters), where known before it runs.</summary>
    public decimal? MediaCost { get; init; }

    /// <summary>Web searches the request is known to cost before it runs (Chat Completions <c>web_search_options</c>: one a request).</summary>
    public long WebSearchCalls { get; init; }

    /// <summary>How <see cref="InputTokens"/> was counted: bytes are an upper bound, a tokenizer a close estimate.</summary>
    public TokenEstimator.Counting InputCounting { get; init; }

    /// <summary>How the model's input is counted once <see cref="Counted"/>.</summary>
    public TokenEstimator.Counting ModelCounting { get; init; }

    /// <summary>The body's byte bound, kept so counting reads the body again only to tokenize it.</summary>
    public TokenEstimator.InputBound InputBound { get; init; }

    /// <summary>This reservation with its input counted by the model's counting (itself when it already is).</summary>
    public Reservation Counted(ReadOnlySpan<byte> body) => InputCounting == ModelCounting
        ? this
        : this with { InputTokens = TokenEstimator.EstimateInput(body, InputBound, ModelCounting), InputCounting = ModelCounting };

    /// <summary>
    /// The reservation of a generation request: its input's byte bound, to be <see cref="Counted"/>
    /// by the model's counting (<see cref="TokenEstimator"/>), and its max tokens (or the model's)
    /// for each choice it asks for.
    /// </summary>
    public static Reservation ForGeneration(ReadOnlySpan<byte> body, JsonTopLevel topLevel, TokenEstimator.InputBound bound, ModelEntry model)
    {
        return new(bound.Tokens, (MaxOutputTokens(body, topLevel) ?? model.MaxOutputTokens ?? UpstreamTarget.DefaultOutputCap) * Choices(body, topLevel))
        {
            InputBound = bound,
            ModelCounting = TokenEstimator.CountingFor(model),
            WebSearchCalls = topLevel.TryGet(body, "web_search_options"u8, out _) ? 1 : 0,
        };
    }

    /// <summary>
    /// The 422 of the contract (<c>context_length_exceeded</c>) when the input is over the model's
    /// <c>contextWindow</c>; null when it fits or the model has none. A byte bound over the window is
    /// counted by the model's tokenizer, or with o200k for a model counted in bytes (whose tokenizer
    /// the gateway does not have), and refused only if that count is over too: a borderline request
    /// goes upstream, which has the last word.
    /// </summary>
    public GatewayError? ContextWindowExceeded(ModelEntry model, ReadOnlySpan<byte> body)
    {
        if (model.ContextWindow is not int window || InputTokens <= window)
        {
            return null;
        }

        var input = InputCounting == TokenEstimator.Counting.Bytes
            ? TokenEstimator.EstimateInput(body, InputBound, ModelCounting == TokenEstimator.Counting.Bytes ? TokenEstimator.Counting.O200k : ModelCounting)
            : InputTokens;
        return input <= window ? null : new GatewayError(GatewayErrorKind.Unprocessable,
            $"This request's input is about {input} tokens, more than the model's context window of {window} tokens.")
        {
            Code = "context_length_exceeded",
        };
    }

    /// <summary>The reservation of an embeddings request: input only, its byte bound, to be <see cref="Counted"/> by the model's counting (bytes when it is not known).</summary>
    public static Reservation ForEmbeddings(TokenEstimator.InputBound bound, ModelEntry? model = null)
    {
        return new(bound.Tokens, 0)
        {
            InputBound = bound,
            ModelCounting = model is null ? TokenEstimator.Counting.Bytes : TokenEstimator.CountingFor(model),
        };
    }

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
        var cost = (InputTokens * input + OutputTokens * output) / 1_000_000m + WebSearchCalls * pricing.WebSearchPerCall;
        return Math.Max(pricing.MinimumCharge, Math.Round(cost, 8, MidpointRounding.AwayFromZero));
    }

    /// <summary>
    /// The request's own output cap in any dialect: max_tokens, max_completion_tokens,
    /// max_output_tokens, and Gemini's generationConfig.maxOutputTokens in either JSON spelling.
    /// </summary>
    public static long? MaxOutputTokens(ReadOnlySpan<byte> body, JsonTopLevel topLevel) =>
        Top(body, topLevel, "max_completion_tokens"u8) ?? Top(body, topLevel, "max_tokens"u8) ?? Top(body, topLevel, "max_output_tokens"u8)
        ?? GenerationConfig(body, topLevel, "maxOutputTokens"u8, "max_output_tokens"u8);

    /// <summary>How many answers the request asks for, each up to the output cap: n, best_of (Completions), Gemini's candidateCount.</summary>
    public static long Choices(ReadOnlySpan<byte> body, JsonTopLevel topLevel)
    {
        var choices = Math.Max(Math.Max(Top(body, topLevel, "n"u8) ?? 1, Top(body, topLevel, "best_of"u8) ?? 1),
            GenerationConfig(body, topLevel, "candidateCount"u8, "candidate_count"u8) ?? 1);
        return Math.Clamp(choices, 1, MaxChoices);
    }

    /// <summary>A number in <c>generationConfig</c> (or <c>generation_config</c>: the API takes both spellings, and so both of each field).</summary>
    private static long? GenerationConfig(ReadOnlySpan<byte> body, JsonTopLevel topLevel, ReadOnlySpan<byte> camel, ReadOnlySpan<byte> snake)
    {
        foreach (var name in (ReadOnlySpan<string>)["generationConfig", "generation_config"])
        {
            if (!topLevel.TryGet(body, name == "generationConfig" ? "generationConfig"u8 : "generation_config"u8, out var config) || config.ValueKind != JsonTokenType.StartObject)
            {
                continue;
            }

            var reader = new Utf8JsonReader(body[config.Value]);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var wanted = reader.ValueTextEquals(camel) || reader.ValueTextEquals(snake);
                reader.Read();
                if (wanted && reader.TokenType == JsonTokenType.Number)
                {
                    return reader.TryGetInt64(out var value) ? Math.Max(0, value) : (long)Math.Clamp(reader.GetDouble(), 0, long.MaxValue);
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
