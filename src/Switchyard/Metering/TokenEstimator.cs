using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;
using Switchyard.Catalog;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;

namespace Switchyard.Metering;

/// <summary>
/// Input token estimates that do not under-count. For models whose tokenizer the gateway has
/// (OpenAI's o200k_base and cl100k_base families) the text is counted exactly; for the others
/// (Claude, Gemini, open models) the count is the text's UTF-8 bytes — an upper bound for every
/// byte-level tokenizer, so CJK, minified JSON and base64 text can never reserve less than they
/// use. Either way the estimate is one forward pass over the body: strings are counted as they are
/// read, property names included (they are template tokens too), inline media is counted per part,
/// and nothing is tokenized when the byte count alone settles it (tiny bodies, huge ones).
/// </summary>
internal static class TokenEstimator
{
    /// <summary>Below this many bytes of text the byte bound is used as is: tokenizing would change the reservation by nothing that matters.</summary>
    public const int TokenizeAboveBytes = 256;

    /// <summary>
    /// Above this many bytes of text the byte bound is used as is: tokenizing costs 35-60 µs a KB
    /// (bench/EstimateCost), and text this long is near the largest context windows (1M tokens) anyway.
    /// </summary>
    public const long TokenizeBelowBytes = 4 * 1024 * 1024;

    /// <summary>What one inline image counts for: above what any provider charges for one image (about 1,600-2,500 tokens at most).</summary>
    public const long ImageTokens = 2_500;

    // Loaded on first use, not at start-up: a vocabulary takes ~0.2 s and ~66 MB, and a gateway
    // whose callers have no tpm or credits, and whose upstreams report usage, never counts a token.
    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));
    private static readonly Lazy<Tokenizer> Cl100k = new(() => TiktokenTokenizer.CreateForEncoding("cl100k_base"));

    /// <summary>How a model's input is counted.</summary>
    public enum Counting
    {
        /// <summary>UTF-8 bytes: an upper bound for any byte-level tokenizer.</summary>
        Bytes,
        O200k,
        Cl100k,
    }

    /// <summary>The counting every deployment of the model shares; bytes when any deployment's tokenizer is unknown or they differ.</summary>
    public static Counting CountingFor(ModelEntry model)
    {
        Counting? shared = null;
        var deployments = model.Deployments;
        for (var i = 0; i < deployments.Count; i++)
        {
            var counting = CountingFor(deployments[i].UpstreamModel);
            if (shared is not null && shared != counting)
            {
                return Counting.Bytes;
            }

            shared = counting;
        }

        return shared ?? Counting.Bytes;
    }

    /// <summary>OpenAI's published encodings by model family; anything else is counted in bytes.</summary>
    public static Counting CountingFor(string upstreamModel)
    {
        var name = upstreamModel.AsSpan();
        var slash = name.LastIndexOf('/');
        name = name[(slash + 1)..];
        if (name.StartsWith("gpt-4o") || name.StartsWith("chatgpt-4o") || name.StartsWith("gpt-4.1") || name.StartsWith("gpt-4.5")
            || name.StartsWith("gpt-5") || name.StartsWith("o1") || name.StartsWith("o3") || name.StartsWith("o4") || name.StartsWith("gpt-oss"))
        {
            return Counting.O200k;
        }

        return name.StartsWith("gpt-4") || name.StartsWith("gpt-3.5") || name.StartsWith("text-embedding-3") || name.StartsWith("text-embedding-ada-002")
            ? Counting.Cl100k
            : Counting.Bytes;
    }

    /// <summary>Tokens of <paramref name="text"/> by the given counting.</summary>
    public static long Count(ReadOnlySpan<char> text, Counting counting) => counting switch
    {
        Counting.O200k => O200k.Value.CountTokens(text),
        Counting.Cl100k => Cl100k.Value.CountTokens(text),
        _ => Encoding.UTF8.GetByteCount(text),
    };

    /// <summary>
    /// The input tokens a request body can use, by the model's counting: what reservations and the
    /// context-window check rest on.
    /// </summary>
    public static long EstimateInput(ReadOnlySpan<byte> body, Counting counting) => EstimateInput(body, Bound(body), counting);

    /// <summary>The same, from the body's <see cref="Bound"/> already taken: the body is read again only to tokenize it.</summary>
    public static long EstimateInput(ReadOnlySpan<byte> body, InputBound bound, Counting counting)
    {
        var text = bound.TextBytes;
        if (counting != Counting.Bytes && text > TokenizeAboveBytes && text <= TokenizeBelowBytes)
        {
            text = CountText(body, counting);
        }

        return Math.Max(1, text + bound.MediaTokens);
    }

    /// <summary>A realistic count of plain text (o200k), for answers that report a count rather than reserve one: count_tokens, the echo model.</summary>
    public static long Estimate(string text) => text.Length == 0 ? 0 : O200k.Value.CountTokens(text);

    public static long Estimate(ChatRequest request)
    {
        long total = 0;
        foreach (var message in request.Messages)
        {
            total += 4; // per-message framing, as chat templates add role markers
            foreach (var part in message.Parts)
            {
                total += part switch
                {
                    TextPart text => Estimate(text.Text),
                    ToolCallPart call => Estimate(call.Name) + Estimate(call.ArgumentsJson),
                    ToolResultPart result => result.Content.OfType<TextPart>().Sum(t => Estimate(t.Text)),
                    ReasoningPart reasoning => Estimate(reasoning.Text),
                    ImagePart => 765, // OpenAI's cost of a 1024x1024 high-detail image
                    _ => 0,
                };
            }
        }

        foreach (var tool in request.Tools ?? [])
        {
            total += Estimate(tool.Name) + Estimate(tool.Description ?? string.Empty) + Estimate(tool.Parameters?.GetRawText() ?? string.Empty);
        }

        return Math.Max(total, 1);
    }

    /// <summary>A body's input in UTF-8 bytes of text and tokens of inline media: the byte bound, before any tokenizing.</summary>
    public readonly record struct InputBound(long TextBytes, long MediaTokens)
    {
        public long Tokens => Math.Max(1, TextBytes + MediaTokens);
    }

    /// <summary>
    /// One pass: UTF-8 bytes of every property name and text string, and a count per inline media
    /// part (<see cref="InputBoundCounter"/>). Malformed JSON is counted as far as it reads. A
    /// request body's bound is taken in the pass that indexes it (<c>GatewayRequest.IndexBody</c>).
    /// </summary>
    public static InputBound Bound(ReadOnlySpan<byte> body)
    {
        var counter = default(InputBoundCounter);
        JsonTokens.ReadAll(body, ref counter);
        return counter.Bound;
    }

    /// <summary>Tokens of the body's text (names and strings), media strings skipped as in <see cref="Bound"/>; strings are decoded into one pooled buffer.</summary>
    private static long CountText(ReadOnlySpan<byte> body, Counting counting)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
        var buffer = ArrayPool<char>.Shared.Rent(4096);
        long tokens = 0;
        var dataProperty = false;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.PropertyName or JsonTokenType.String))
                {
                    dataProperty = false;
                    continue;
                }

                var isName = reader.TokenType == JsonTokenType.PropertyName;
                if (!isName && (StartsWith(ref reader, "data:"u8) || (dataProperty && Length(ref reader) > 256)))
                {
                    dataProperty = false;
                    continue;
                }

                dataProperty = isName && (reader.ValueTextEquals("data"u8) || reader.ValueTextEquals("file_data"u8));
                var needed = (int)Math.Min(Length(ref reader), int.MaxValue);
                if (needed > buffer.Length)
                {
                    ArrayPool<char>.Shared.Return(buffer);
                    buffer = ArrayPool<char>.Shared.Rent(needed);
                }

                var chars = reader.CopyString(buffer);
                tokens += Count(buffer.AsSpan(0, chars), counting);
            }
        }
        catch (JsonException)
        {
            // As in Scan: what could be read is counted.
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }

        return tokens;
    }

    internal static long Length(ref Utf8JsonReader reader) => reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;

    internal static bool StartsWith(ref Utf8JsonReader reader, ReadOnlySpan<byte> prefix)
    {
        if (reader.HasValueSequence || reader.ValueIsEscaped)
        {
            // Escaped media prefixes are not worth decoding for: count the string as text.
            return false;
        }

        var value = reader.ValueSpan;
        return value.Length >= prefix.Length && Ascii.EqualsIgnoreCase(value[..prefix.Length], prefix);
    }
}
