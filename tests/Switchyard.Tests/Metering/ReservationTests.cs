using Switchyard.Dialects;
using System.Text;
using Switchyard.Catalog;
using Switchyard.Dialects.Json;
using Switchyard.Forwarding;
using Switchyard.Metering;

namespace Switchyard.Tests.Metering;

/// <summary>The worst case a request reserves, and the text a relayed stream is charged for.</summary>
public sealed class ReservationTests
{
    private static readonly ModelEntry Model = new()
    {
        Id = "m",
        Kind = ModelKind.Chat,
        Surfaces = new HashSet<Surface> { DialectRegistry.FindSurface("chat")! },
        Deployments = [],
        MaxOutputTokens = 1234,
    };

    private static Reservation For(string json, ModelEntry? model = null)
    {
        var body = Encoding.UTF8.GetBytes(json);
        return Reservation.ForGeneration(body, JsonTopLevel.Scan(body), TokenEstimator.Bound(body), model ?? Model);
    }

    private static Reservation Counted(string json, ModelEntry? model = null) => For(json, model).Counted(Encoding.UTF8.GetBytes(json));

    private static ModelEntry ModelOn(string upstreamModel, int? contextWindow = null) => new()
    {
        Id = "m",
        ContextWindow = contextWindow,
        Kind = ModelKind.Chat,
        Surfaces = new HashSet<Surface> { DialectRegistry.FindSurface("chat")! },
        Deployments = [new Deployment(new Provider { Name = "p", Type = Switchyard.Providers.ProviderTypes.Find("openai")!, BaseUrl = "http://x" }, upstreamModel, 1)],
    };

    [Theory]
    [InlineData("""{"model":"m","max_tokens":77}""", 77)]
    [InlineData("""{"model":"m","max_completion_tokens":88,"max_tokens":5}""", 88)]
    [InlineData("""{"model":"m","max_output_tokens":99}""", 99)]
    [InlineData("""{"contents":[],"generationConfig":{"temperature":1,"maxOutputTokens":66}}""", 66)]
    [InlineData("""{"model":"m"}""", 1234)]
    public void Reserves_the_requests_own_output_cap_else_the_models(string json, long output)
    {
        Assert.Equal(output, For(json).OutputTokens);
    }

    [Fact]
    public void Without_any_cap_reserves_the_default_output()
    {
        var body = """{"model":"m"}"""u8.ToArray();

        var reservation = Reservation.ForGeneration(body, JsonTopLevel.Scan(body), TokenEstimator.Bound(body), new ModelEntry
        {
            Id = "m", Kind = ModelKind.Chat, Surfaces = new HashSet<Surface>(), Deployments = [],
        });

        Assert.Equal(UpstreamTarget.DefaultOutputCap, reservation.OutputTokens);
    }

    // Each row is named by its kind alone: a display name holding the text was cut inside the
    // emoji, leaving a lone surrogate in the name the runner reports.
    private static readonly Dictionary<string, string> SampleTexts = new()
    {
        { "cjk", string.Concat(Enumerable.Repeat("東京都の天気は晴れ、気温は二十三度です。明日は雨が降るでしょう。", 60)) },
        { "minified json", string.Concat(Enumerable.Range(0, 300).Select(i => $"{{\"k{i}\":[{i},{i * 7 % 13},\"v{i}\"],\"x\":null}},")) },
        { "base64", Convert.ToBase64String(Enumerable.Range(0, 6000).Select(i => (byte)(i * 7919 % 251)).ToArray()) },
        { "emoji", string.Concat(Enumerable.Repeat("🧪🚀👩🏽‍💻🇯🇵", 200)) },
        { "english", string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog near the riverbank. ", 80)) },
    };

    public static TheoryData<string> Kinds => new(SampleTexts.Keys);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Never_under_estimates_text_against_the_real_tokenizer(string kind)
    {
        var text = SampleTexts[kind];
        var o200k = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("o200k_base").CountTokens(text);
        var cl100k = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("cl100k_base").CountTokens(text);
        var body = $$"""{"model":"m","messages":[{"role":"user","content":{{System.Text.Json.Nodes.JsonValue.Create(text).ToJsonString()}}}]}""";

        var gpt4o = Counted(body, ModelOn("gpt-4o-mini"));
        var gpt4 = Counted(body, ModelOn("gpt-4-turbo"));
        var claude = Counted(body, ModelOn("claude-sonnet-4-5"));

        Assert.True(gpt4o.InputTokens >= o200k, $"{kind}: o200k {o200k}, estimated {gpt4o.InputTokens}");
        Assert.True(gpt4o.InputTokens <= o200k + 20, $"{kind}: o200k {o200k}, estimated {gpt4o.InputTokens}");
        Assert.True(gpt4.InputTokens >= cl100k, $"{kind}: cl100k {cl100k}, estimated {gpt4.InputTokens}");
        Assert.True(claude.InputTokens >= Math.Max(o200k, cl100k) && claude.InputTokens >= Encoding.UTF8.GetByteCount(text), $"{kind}: bytes bound {claude.InputTokens}");
    }

    [Fact]
    public void The_input_is_its_byte_bound_until_counted_by_the_models_tokenizer()
    {
        var text = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 40));
        var body = $$"""{"model":"m","messages":[{"role":"user","content":"{{text}}"}]}""";
        var o200k = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("o200k_base").CountTokens(text);

        var bound = For(body, ModelOn("gpt-4o-mini"));
        var counted = bound.Counted(Encoding.UTF8.GetBytes(body));

        Assert.Equal(TokenEstimator.Counting.Bytes, bound.InputCounting);
        Assert.True(bound.InputTokens >= Encoding.UTF8.GetByteCount(text));
        Assert.Equal(TokenEstimator.Counting.O200k, counted.InputCounting);
        Assert.InRange(counted.InputTokens, o200k, o200k + 20);
        Assert.Equal(bound.OutputTokens, counted.OutputTokens);
        Assert.Equal(counted, counted.Counted(Encoding.UTF8.GetBytes(body)));
        var claude = For(body, ModelOn("claude-sonnet-4-5"));
        Assert.Equal(claude, claude.Counted(Encoding.UTF8.GetBytes(body)));
        Assert.Equal(bound.InputTokens, claude.InputTokens);
    }

    [Fact]
    public void A_tokenized_model_over_its_window_by_bytes_is_held_to_its_real_tokens()
    {
        // ~1,800 bytes of prose, ~400 tokens: over a 1,000-token window by bytes only.
        var text = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 40));
        var body = Encoding.UTF8.GetBytes($$"""{"model":"m","messages":[{"role":"user","content":"{{text}}"}]}""");
        var roomy = ModelOn("gpt-4o-mini", 1_000);
        var tight = ModelOn("gpt-4o-mini", 300);

        Assert.True(For(Encoding.UTF8.GetString(body), roomy).InputTokens > 1_000);
        Assert.Null(For(Encoding.UTF8.GetString(body), roomy).ContextWindowExceeded(roomy, body));
        var refused = For(Encoding.UTF8.GetString(body), tight).ContextWindowExceeded(tight, body);
        Assert.Equal("context_length_exceeded", refused!.Code);
        Assert.DoesNotContain(Encoding.UTF8.GetByteCount(text).ToString(System.Globalization.CultureInfo.InvariantCulture), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Counts_an_inline_image_as_one_part_but_base64_text_as_text()
    {
        var image = "data:image/png;base64," + new string('A', 200_000);
        var blob = Convert.ToBase64String(new byte[30_000]);

        var withImage = Counted($$$"""{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"{{{image}}}"}}]}]}""", ModelOn("gpt-4o"));
        var anthropicImage = Counted($$$"""{"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"{{{new string('A', 200_000)}}}"}}]}]}""", ModelOn("claude-x"));
        var pdf = Counted($$$"""{"messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"{{{new string('A', 40_000)}}}"}}]}]}""", ModelOn("claude-x"));
        var textBlob = Counted($$$"""{"messages":[{"role":"user","content":"{{{blob}}}"}]}""", ModelOn("gpt-4o"));

        Assert.InRange(withImage.InputTokens, TokenEstimator.ImageTokens, TokenEstimator.ImageTokens + 50);
        Assert.InRange(anthropicImage.InputTokens, TokenEstimator.ImageTokens, TokenEstimator.ImageTokens + 100);
        Assert.InRange(pdf.InputTokens, 40_000 * 3 / 4 / 4, 40_000 * 3 / 4 / 4 + 100);
        Assert.True(textBlob.InputTokens >= Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("o200k_base").CountTokens(blob));
    }

    [Theory]
    [InlineData("""{"model":"m","n":3,"max_tokens":100}""", 300)]
    [InlineData("""{"model":"m","best_of":4,"n":2,"max_tokens":10}""", 40)]
    [InlineData("""{"contents":[],"generationConfig":{"candidateCount":2,"maxOutputTokens":50}}""", 100)]
    [InlineData("""{"contents":[],"generation_config":{"candidate_count":3,"max_output_tokens":7}}""", 21)]
    [InlineData("""{"contents":[],"generation_config":{"maxOutputTokens":9}}""", 9)]
    [InlineData("""{"model":"m","n":1000000,"max_tokens":1}""", 128)]
    [InlineData("""{"model":"m","n":3}""", 3 * 1234)]
    public void Reserves_the_output_cap_for_every_choice_asked_for(string json, long output)
    {
        Assert.Equal(output, For(json).OutputTokens);
    }

    [Fact]
    public void Refuses_input_over_the_context_window_with_the_contracts_422()
    {
        var small = new ModelEntry { Id = "m", Kind = ModelKind.Chat, Surfaces = new HashSet<Surface>(), Deployments = [], ContextWindow = 100 };
        var body = $$"""{"messages":[{"role":"user","content":"{{string.Join(' ', Enumerable.Repeat("lorem ipsum dolor", 100))}}"}]}""";

        var over = For(body).ContextWindowExceeded(small, Encoding.UTF8.GetBytes(body));
        var fits = For("""{"messages":[{"role":"user","content":"hi"}]}""").ContextWindowExceeded(small, "{}"u8);
        var unbounded = For(body).ContextWindowExceeded(Model, Encoding.UTF8.GetBytes(body));

        Assert.Equal(422, over!.Status);
        Assert.Equal("context_length_exceeded", over.Code);
        Assert.Null(fits);
        Assert.Null(unbounded);
    }

    [Fact]
    public void A_byte_counted_model_is_not_refused_for_prose_its_tokens_fit()
    {
        // 440 bytes of plain words: over a 200-token window by bytes, well inside it by any tokenizer.
        var small = new ModelEntry { Id = "m", Kind = ModelKind.Chat, Surfaces = new HashSet<Surface>(), Deployments = [], ContextWindow = 200 };
        var body = $$"""{"messages":[{"role":"user","content":"{{string.Join(' ', Enumerable.Repeat("the weather", 40))}}"}]}""";
        var reservation = For(body, small);

        Assert.True(reservation.InputTokens > 200);
        Assert.Null(reservation.ContextWindowExceeded(small, Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Reserves_a_web_search_call_for_web_search_options()
    {
        var pricing = new Pricing(0, 0, 0, 0, 0, 0) { WebSearchPerCall = 0.025m };

        var search = For("""{"model":"m","messages":[],"web_search_options":{},"max_tokens":1}""");
        var plain = For("""{"model":"m","messages":[],"max_tokens":1}""");

        Assert.Equal(1, search.WebSearchCalls);
        Assert.Equal(0, plain.WebSearchCalls);
        Assert.Equal(0.025m, search.Cost(pricing) - plain.Cost(pricing));
    }

    [Theory]
    [InlineData("gpt-4o-mini", "O200k")]
    [InlineData("openai/gpt-5.1", "O200k")]
    [InlineData("o3-mini", "O200k")]
    [InlineData("gpt-4-turbo", "Cl100k")]
    [InlineData("gpt-3.5-turbo", "Cl100k")]
    [InlineData("claude-sonnet-4-5", "Bytes")]
    [InlineData("gemini-2.5-flash", "Bytes")]
    [InlineData("meta-llama/Llama-3.1-8B-Instruct", "Bytes")]
    public void Counts_with_the_tokenizer_the_upstream_model_is_known_to_use(string upstreamModel, string counting)
    {
        Assert.Equal(Enum.Parse<TokenEstimator.Counting>(counting), TokenEstimator.CountingFor(ModelOn(upstreamModel)));
    }

    [Fact]
    public void Counts_in_bytes_when_the_deployments_disagree()
    {
        var provider = new Provider { Name = "p", Type = Switchyard.Providers.ProviderTypes.Find("openai")!, BaseUrl = "http://x" };
        var mixed = new ModelEntry
        {
            Id = "m", Kind = ModelKind.Chat, Surfaces = new HashSet<Surface>(),
            Deployments = [new Deployment(provider, "gpt-4o", 1), new Deployment(provider, "gemini-2.5-pro", 1)],
        };

        Assert.Equal(TokenEstimator.Counting.Bytes, TokenEstimator.CountingFor(mixed));
    }

    [Fact]
    public void Prices_the_worst_case_at_the_dearest_rates_and_at_least_the_minimum()
    {
        var pricing = new Pricing(InputPerMTok: 1, CachedInputPerMTok: 0.1m, CacheWritePerMTok: 1.25m, OutputPerMTok: 10, ReasoningPerMTok: 12, MinimumCharge: 0.001m);

        Assert.Equal((1000 * 1.25m + 500 * 12) / 1_000_000m, new Reservation(1000, 500).Cost(pricing));
        Assert.Equal(0.001m, new Reservation(1, 1).Cost(pricing));
        Assert.Equal(0m, new Reservation(1000, 500).Cost(null));
    }

    [Theory]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"abcd"}}]}""", 4)]
    [InlineData("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":1}"}}]}}]}""", 9)]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"héllo"}}""", 5)]
    [InlineData("""{"type":"response.output_text.delta","delta":"abc"}""", 3)]
    [InlineData("""{"type":"response.output_text.done","text":"abc"}""", 0)]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"xy"}]}}]}""", 2)]
    [InlineData("""{"type":"message_start","message":{"content":[],"model":"claude"}}""", 0)]
    public void Counts_the_text_a_relayed_frame_carries_once(string json, long characters)
    {
        Assert.Equal(characters, RelayedTextCounter.CountText(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void A_stream_cut_short_is_charged_at_least_its_relayed_text()
    {
        var relayed = new RelayedUsage { Reported = new Dialects.Canonical.Usage { InputTokens = 50, OutputTokens = 1 } };
        relayed.AddText(40);

        var usage = relayed.ToCharge(inputEstimate: 999);

        Assert.Equal(50, usage.InputTokens);
        Assert.Equal(10, usage.OutputTokens);
    }
}
