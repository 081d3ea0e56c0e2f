using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.Sse;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.OpenAI.Chat;

public sealed class ChatCompletionsUsageTapTests
{
    private const string TextFixture = "openai-chat/text.stream.sse";
    private const string ToolCallsFixture = "openai-chat/parallel-tool-calls.stream.sse";
    private const string ReasoningFixture = "openai-chat/reasoning.stream.sse";

    private const string RoleChunk = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1754812345,\"model\":\"fast\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n";
    private const string ContentChunk = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1754812345,\"model\":\"fast\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n";
    private const string FinishChunk = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1754812345,\"model\":\"fast\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n";

    public static TheoryData<string, bool> FixturesAndUsageChoice => new()
    {
        { TextFixture, false },
        { TextFixture, true },
        { ToolCallsFixture, false },
        { ToolCallsFixture, true },
        { ReasoningFixture, false },
    };

    [Theory]
    [InlineData(TextFixture)]
    [InlineData(ToolCallsFixture)]
    public async Task Folds_the_usage_chunk_into_the_finish_chunk_when_the_client_did_not_ask_for_it(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        var upstream = await Chunks(body);
        using var tap = new ChatCompletionsUsageTap("fast", clientAskedForUsageChunk: false, price: null);

        var relayed = await Chunks(await RelayAsync(body, tap));

        Assert.Equal(upstream.Count - 1, relayed.Count);
        Assert.All(relayed, chunk => Assert.NotEmpty(chunk["choices"]!.AsArray()));
        Assert.All(relayed, chunk => Assert.Equal("fast", chunk["model"]!.GetValue<string>()));
        var finish = Assert.Single(relayed, chunk => chunk["choices"]![0]!["finish_reason"] is not null);
        Assert.Same(relayed[^1], finish);
        JsonAssert.Equal(upstream[^1]["usage"], finish["usage"]);
        Assert.True(tap.Finished);
        Assert.True(tap.SawDone);
        Assert.Null(tap.Error);
    }

    [Theory]
    [InlineData(TextFixture)]
    [InlineData(ToolCallsFixture)]
    [InlineData(ReasoningFixture)]
    public async Task Relays_each_chunk_unchanged_but_for_the_model_when_no_usage_needs_folding(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        var upstream = await Chunks(body);
        // The reasoning fixture carries usage on its finish chunk, so there is nothing to fold.
        using var tap = new ChatCompletionsUsageTap("fast", clientAskedForUsageChunk: fixture != ReasoningFixture, price: null);

        var relayed = await Chunks(await RelayAsync(body, tap));

        Assert.Equal(upstream.Count, relayed.Count);
        for (var i = 0; i < upstream.Count; i++)
        {
            var expected = upstream[i].DeepClone();
            expected["model"] = "fast";
            JsonAssert.Equal(expected, relayed[i]);
        }
    }

    [Theory]
    [InlineData(TextFixture, "gpt-4o-mini-2024-07-18")]
    [InlineData(ReasoningFixture, "deepseek-reasoner")]
    public async Task Copies_frames_byte_for_byte_when_nothing_needs_editing(string fixture, string model)
    {
        var body = FixtureFiles.Bytes(fixture);
        using var tap = new ChatCompletionsUsageTap(model, clientAskedForUsageChunk: true, price: null);

        var relayed = await RelayAsync(body, tap);

        Assert.Equal(body, relayed);
    }

    [Fact]
    public async Task Reads_usage_into_disjoint_buckets_and_prices_it()
    {
        var body = FixtureFiles.Bytes(TextFixture);
        Usage? priced = null;
        using var tap = new ChatCompletionsUsageTap("fast", clientAskedForUsageChunk: false, price: usage =>
        {
            priced = usage;
            return 0.0125m;
        });

        var relayed = await Chunks(await RelayAsync(body, tap));

        var usage = new Usage { InputTokens = 86, CacheReadTokens = 1920, OutputTokens = 12 };
        Assert.Equal(usage, priced);
        Assert.Equal(usage with { Cost = 0.0125m }, tap.Usage);
        Assert.Equal(0.0125m, relayed[^1]["usage"]!["cost"]!.GetValue<decimal>());
        Assert.Equal(2006, relayed[^1]["usage"]!["prompt_tokens"]!.GetValue<int>());
    }

    [Theory]
    [MemberData(nameof(FixturesAndUsageChoice))]
    public async Task Relays_the_same_bytes_wherever_the_upstream_split_them(string fixture, bool clientAskedForUsageChunk)
    {
        var body = FixtureFiles.Bytes(fixture);
        using var whole = new ChatCompletionsUsageTap("fast", clientAskedForUsageChunk, price: _ => 0.5m);
        var expected = await RelayAsync(body, whole);

        for (var i = 0; i <= body.Length; i++)
        {
            using var tap = new ChatCompletionsUsageTap("fast", clientAskedForUsageChunk, price: _ => 0.5m);

            var actual = await RelayAsync(SegmentedStream.SplitAt(body, i), tap);

            Assert.True(expected.AsSpan().SequenceEqual(actual), $"split at byte {i} changed the relayed bytes");
            Assert.Equal(whole.Usage, tap.Usage);
        }

        using var oneByOne = new ChatCompletionsUsageTap("fast", clientAskedForUsageChunk, price: _ => 0.5m);
        Assert.Equal(expected, await RelayAsync(SegmentedStream.OneBytePerRead(body), oneByOne));
    }

    [Fact]
    public async Task Releases_the_held_finish_chunk_when_no_usage_follows()
    {
        var body = Encoding.UTF8.GetBytes(RoleChunk + ContentChunk + FinishChunk + "data: [DONE]\n\n");
        using var tap = new ChatCompletionsUsageTap("fast", clientAskedForUsageChunk: false, price: null);

        var relayed = await RelayAsync(body, tap);

        Assert.Equal(body, relayed);
        Assert.True(tap.Finished);
        Assert.Null(tap.Usage);
    }

    [Theory]
    [InlineData("data: {\"error\":{\"message\":\"The server had an error (10.0.0.5)\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n", "The server had an error ([address])")]
    [InlineData("data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\n\n", "The upstream sent a malformed stream frame.")]
    public async Task Relays_nothing_after_an_upstream_error_so_the_error_frame_can_end_the_stream(string badFrame, string message)
    {
        // vLLM, for one, sends data: [DONE] after its error frame; the client must not see it (docs/behaviour.md).
        var body = Encoding.UTF8.GetBytes(RoleChunk + ContentChunk + badFrame + FinishChunk + "data: [DONE]\n\n");
        using var tap = new ChatCompletionsUsageTap("fast", clientAskedForUsageChunk: true, price: null);

        var relayed = await RelayAsync(body, tap);

        Assert.Equal(RoleChunk + ContentChunk, Encoding.UTF8.GetString(relayed));
        Assert.Equal(message, tap.Error!.Message);
        Assert.False(tap.SawDone);
        Assert.False(tap.Finished);
    }

    [Fact]
    public async Task Passes_comments_through_without_counting_them_as_frames()
    {
        var body = Encoding.UTF8.GetBytes(": OPENROUTER PROCESSING\n\n" + RoleChunk);
        using var tap = new ChatCompletionsUsageTap("fast", clientAskedForUsageChunk: true, price: null);

        var relayed = await RelayAsync(body, tap);

        Assert.Equal(body, relayed);
        Assert.Equal(1, tap.FramesWritten);
    }

    [Theory]
    [InlineData(TextFixture)]
    [InlineData(ToolCallsFixture)]
    [InlineData(ReasoningFixture)]
    public async Task Counts_the_text_it_relays_as_the_generic_counter_would(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        var expected = (await EventStreams.FramesAsync(body)).Sum(frame => RelayedText.Count(frame.Data.Span));
        using var tap = new ChatCompletionsUsageTap("fast", clientAskedForUsageChunk: false, price: null);

        await RelayAsync(body, tap);

        Assert.True(expected > 0);
        Assert.Equal(expected, tap.TextCharacters);
    }

    [Theory]
    [InlineData("{\"id\":\"c\",\"model\":\"up\",\"ch\\u006fices\":[{\"index\":0,\"delta\":{\"content\":\"ab\"},\"finish_reason\":\"stop\"}]}", true, 2)]
    [InlineData("{\"id\":\"c\",\"model\":\"up\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ab\"},\"finish_reason\":\"stop\"}],\"choices\":[]}", true, 2)]
    [InlineData("{\"id\":\"c\",\"model\":\"up\",\"choices\":null,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ab\"},\"finish_reason\":\"stop\"}]}", false, 0)]
    [InlineData("{\"id\":\"c\",\"model\":\"up\",\"choices\":{\"a\":1},\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ab\"},\"finish_reason\":\"stop\"}]}", false, 0)]
    public async Task Reads_the_choices_the_top_level_finds_first_even_escaped_or_duplicated(string chunk, bool finished, long text)
    {
        // The choices are read during the scan of the top level; an escaped name or a duplicate
        // must give what reading the first "choices" property on its own gives.
        var body = Encoding.UTF8.GetBytes("data: " + chunk + "\n\n");
        using var tap = new ChatCompletionsUsageTap("fast", clientAskedForUsageChunk: true, price: null);

        var relayed = Encoding.UTF8.GetString(await RelayAsync(body, tap));

        Assert.Equal(finished, tap.Finished);
        Assert.Equal(text, tap.TextCharacters);
        Assert.Contains("\"model\":\"fast\"", relayed);
        Assert.Equal(1, tap.FramesWritten);
    }

    [Theory]
    [InlineData("{\"id\":\"c\", \"model\" : \"up\" ,\"choices\":[]}", "{\"id\":\"c\", \"model\" : \"fast\" ,\"choices\":[]}")]
    [InlineData("{\"id\":\"c\",\"m\\u006fdel\":\"up\",\"choices\":[]}", "{\"id\":\"c\",\"m\\u006fdel\":\"fast\",\"choices\":[]}")]
    [InlineData("{\"model\":\"u\\\"p\",\"choices\":[]}", "{\"model\":\"fast\",\"choices\":[]}")]
    [InlineData("{\"model\":\"up\",\"id\":\"c\",\"model\":\"up2\"}", "{\"model\":\"fast\",\"id\":\"c\",\"model\":\"fast\"}")]
    [InlineData("{\"model\":\"fast\",\"id\":\"c\", \"model\":\"up\"}", "{\"model\":\"fast\",\"id\":\"c\", \"model\":\"up\"}")]
    [InlineData("{\"id\":\"c\",\ndata: \"model\":\"up\",\"choices\":[]}", "{\"id\":\"c\",\ndata: \"model\":\"fast\",\"choices\":[]}")]
    [InlineData("{\"model\":\"up\",\"choices\":[\ndata: ],\"model\":\"x\"}", "{\"model\":\"fast\",\"choices\":[\ndata: ],\"model\":\"fast\"}")]
    public async Task Rewrites_the_model_in_place_and_every_copy_of_a_duplicated_one(string chunk, string expected)
    {
        // The model alone is spliced into the chunk as it came; a duplicated "model" is rewritten
        // wherever it appears, and a chunk whose first "model" is already the client's is left alone.
        // A chunk sent over several data lines leaves on as many.
        var body = Encoding.UTF8.GetBytes("data: " + chunk + "\n\n");
        using var tap = new ChatCompletionsUsageTap("fast", clientAskedForUsageChunk: true, price: null);

        var relayed = Encoding.UTF8.GetString(await RelayAsync(body, tap));

        Assert.Equal("data: " + expected + "\n\n", relayed);
        Assert.Equal(1, tap.FramesWritten);
    }

    [Fact]
    public async Task Holds_a_finish_chunk_sent_over_several_data_lines_and_relays_it_as_an_event()
    {
        var body = Encoding.UTF8.GetBytes(
            "data: {\"id\":\"c\",\"model\":\"up\",\ndata: \"choices\":[{\"index\":0,\"delta\":{},\ndata: \"finish_reason\":\"stop\"}]}\n\n"
            + "data: {\"id\":\"c\",\"model\":\"up\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}\n\n"
            + "data: [DONE]\n\n");
        using var tap = new ChatCompletionsUsageTap("fast", clientAskedForUsageChunk: false, price: null);

        var relayed = await RelayAsync(body, tap);

        Assert.All(Encoding.UTF8.GetString(relayed).Split('\n'), line => Assert.True(line.Length == 0 || line.StartsWith("data: ", StringComparison.Ordinal), line));
        var chunk = Assert.Single(await Chunks(relayed));
        Assert.Equal("fast", (string?)chunk["model"]);
        Assert.Equal("stop", (string?)chunk["choices"]![0]!["finish_reason"]);
        Assert.Equal(5, (int?)chunk["usage"]!["total_tokens"]);
    }

    private static Task<byte[]> RelayAsync(byte[] body, ChatCompletionsUsageTap tap) => RelayAsync(new MemoryStream(body), tap);

    private static async Task<byte[]> RelayAsync(Stream source, ChatCompletionsUsageTap tap)
    {
        var output = new ArrayBufferWriter<byte>();
        await SseRelay.RunAsync(source, tap, (bytes, _) =>
        {
            output.Write(bytes.Span);
            return ValueTask.CompletedTask;
        }, TestContext.Current.CancellationToken);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The JSON chunks of an SSE body, without the [DONE] terminator (which must be last).</summary>
    private static async Task<List<JsonNode>> Chunks(byte[] body)
    {
        var frames = await EventStreams.FramesAsync(body);
        Assert.True(frames[^1].IsDone);
        Assert.Single(frames, f => f.IsDone);
        return frames[..^1].Select(EventStreams.Json).ToList();
    }
}
