using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.Sse;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Gemini;

/// <summary>Gemini streams relayed to Gemini clients (passthrough) through <see cref="SseRelay"/>.</summary>
public sealed class GenerateContentUsageTapTests
{
    private const string TextFixture = "gemini/text.stream.sse";
    private const string ToolCallsFixture = "gemini/thinking-tool-calls.stream.sse";
    private const string OverloadedFixture = "gemini/overloaded.stream.sse";

    public static TheoryData<string> Fixtures => new() { TextFixture, ToolCallsFixture, OverloadedFixture };

    [Theory]
    [InlineData(TextFixture, "gemini-2.5-flash")]
    [InlineData(ToolCallsFixture, "gemini-2.5-pro")]
    public async Task Relays_every_frame_byte_for_byte_but_the_model_version(string fixture, string upstreamModel)
    {
        var body = FixtureFiles.Bytes(fixture);
        using var tap = new GenerateContentUsageTap("fast", price: null);

        var relayed = await RelayAsync(body, tap);

        var expected = Encoding.UTF8.GetString(body).Replace($"\"modelVersion\": \"{upstreamModel}\"", "\"modelVersion\": \"fast\"", StringComparison.Ordinal);
        Assert.NotEqual(Encoding.UTF8.GetString(body), expected);
        Assert.Equal(expected, Encoding.UTF8.GetString(relayed));
    }

    [Theory]
    [InlineData(TextFixture)]
    [InlineData(ToolCallsFixture)]
    public async Task Adds_the_cost_to_every_usage_metadata_when_the_model_is_priced(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        var upstream = RawFrames(body);
        using var tap = new GenerateContentUsageTap("fast", price: _ => 0.0125m);

        var relayed = RawFrames(await RelayAsync(body, tap));

        Assert.Equal(upstream.Count, relayed.Count);
        for (var i = 0; i < upstream.Count; i++)
        {
            var expected = Data(upstream[i]);
            expected["modelVersion"] = "fast";
            expected["usageMetadata"]!["cost"] = JsonNode.Parse("0.0125");
            JsonAssert.Equal(expected, Data(relayed[i]));
            Assert.StartsWith("data: {", Encoding.UTF8.GetString(relayed[i]), StringComparison.Ordinal);
            Assert.EndsWith("}\r\n\r\n", Encoding.UTF8.GetString(relayed[i]), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Copies_the_stream_byte_for_byte_when_the_client_asked_for_the_upstream_model()
    {
        var body = FixtureFiles.Bytes(TextFixture);
        using var tap = new GenerateContentUsageTap("gemini-2.5-flash", price: null);

        var relayed = await RelayAsync(body, tap);

        Assert.Equal(Encoding.UTF8.GetString(body), Encoding.UTF8.GetString(relayed));
        Assert.True(tap.Completed);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Relays_the_same_bytes_wherever_the_upstream_split_them(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        using var whole = new GenerateContentUsageTap("fast", price: _ => 0.5m);
        var expected = await RelayAsync(body, whole);

        for (var i = 0; i <= body.Length; i++)
        {
            using var tap = new GenerateContentUsageTap("fast", price: _ => 0.5m);

            var actual = await RelayAsync(SegmentedStream.SplitAt(body, i), tap);

            Assert.True(expected.AsSpan().SequenceEqual(actual), $"split at byte {i} changed the relayed bytes");
            Assert.Equal(whole.Usage, tap.Usage);
            Assert.Equal(whole.Completed, tap.Completed);
            Assert.Equal(whole.Error, tap.Error);
        }

        using var oneByOne = new GenerateContentUsageTap("fast", price: _ => 0.5m);
        Assert.Equal(expected, await RelayAsync(SegmentedStream.OneBytePerRead(body), oneByOne));
        Assert.NotNull(whole.Usage);
    }

    [Fact]
    public async Task Reads_the_last_usage_in_disjoint_buckets_and_prices_it()
    {
        var body = FixtureFiles.Bytes(TextFixture);
        var priced = new List<Usage>();
        using var tap = new GenerateContentUsageTap("fast", price: usage =>
        {
            priced.Add(usage);
            return 0.0125m;
        });

        await RelayAsync(body, tap);

        var early = new Usage { InputTokens = 151, CacheReadTokens = 1920, ReasoningTokens = 187 };
        var final = early with { OutputTokens = 12 };
        Assert.Equal([early, early, final], priced);
        Assert.Equal(final with { Cost = 0.0125m }, tap.Usage);
        Assert.True(tap.Completed);
        Assert.Null(tap.Error);
    }

    [Fact]
    public async Task Completes_after_a_finish_reason_on_a_function_call_chunk()
    {
        var body = FixtureFiles.Bytes(ToolCallsFixture);
        using var tap = new GenerateContentUsageTap("fast", price: null);

        await RelayAsync(body, tap);

        Assert.True(tap.Completed);
        Assert.Equal(new Usage { InputTokens = 164, OutputTokens = 41, ReasoningTokens = 147 }, tap.Usage);
    }

    [Fact]
    public async Task Is_not_completed_when_the_stream_ends_before_a_finish_reason()
    {
        var frames = RawFrames(FixtureFiles.Bytes(TextFixture));
        var body = frames[..^1].SelectMany(f => f).ToArray();
        using var tap = new GenerateContentUsageTap("fast", price: null);

        var relayed = await RelayAsync(body, tap);

        Assert.False(tap.Completed);
        Assert.Null(tap.Error);
        Assert.Equal(new Usage { InputTokens = 151, CacheReadTokens = 1920, ReasoningTokens = 187 }, tap.Usage);
        Assert.Equal(frames.Count - 1, RawFrames(relayed).Count);
    }

    [Fact]
    public async Task Holds_back_an_error_chunk_and_reports_it_for_failover()
    {
        var body = FixtureFiles.Bytes(OverloadedFixture);
        using var tap = new GenerateContentUsageTap("gemini-2.5-flash", price: null);

        var relayed = await RelayAsync(body, tap);

        Assert.Equal(RawFrames(body)[0], relayed);
        Assert.Equal(GatewayErrorKind.UpstreamFailed, tap.Error!.Kind);
        Assert.True(tap.Error.AllowsFailover);
        Assert.Equal(503, tap.Error.UpstreamStatus);
        Assert.Equal("The model is overloaded. Please try again later.", tap.Error.Message);
        Assert.False(tap.Completed);
        Assert.Equal(new Usage { InputTokens = 12 }, tap.Usage);
    }

    [Fact]
    public async Task Relays_nothing_after_an_error_chunk_so_the_error_ends_the_stream()
    {
        var body = FixtureFiles.Bytes(OverloadedFixture);
        var finish = RawFrames(FixtureFiles.Bytes(TextFixture))[^1];
        using var tap = new GenerateContentUsageTap("gemini-2.5-flash", price: _ => 1m);

        var relayed = await RelayAsync([.. body, .. finish], tap);

        Assert.Single(RawFrames(relayed));
        Assert.Equal("The model is overloaded. Please try again later.", tap.Error!.Message);
        Assert.False(tap.Completed);
        Assert.Equal(new Usage { InputTokens = 12, Cost = 1m }, tap.Usage);
    }

    [Theory]
    [InlineData(429, "RESOURCE_EXHAUSTED", GatewayErrorKind.RateLimited)]
    [InlineData(503, "UNAVAILABLE", GatewayErrorKind.UpstreamFailed)]
    [InlineData(500, "INTERNAL", GatewayErrorKind.UpstreamFailed)]
    public async Task Reads_the_error_chunk_by_its_code_as_the_stream_reader_does(int code, string status, GatewayErrorKind kind)
    {
        var body = Encoding.UTF8.GetBytes($"data: {{\"error\": {{\"code\": {code},\"message\": \"No.\",\"status\": \"{status}\"}}}}\r\n\r\n");
        using var tap = new GenerateContentUsageTap("fast", price: null);

        var relayed = await RelayAsync(body, tap);
        var read = await GeminiEventStreams.ReadAsync(body);

        Assert.Empty(relayed);
        Assert.Equal(kind, tap.Error!.Kind);
        Assert.Equal(code, tap.Error.UpstreamStatus);
        Assert.Equal(Assert.IsType<ResponseFailed>(Assert.Single(read)).Error, tap.Error);
    }

    [Theory]
    [InlineData("data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"lo\r\n\r\n")]
    [InlineData("data: not json\r\n\r\n")]
    public async Task Reports_a_malformed_chunk_and_relays_nothing_from_it_on(string badFrame)
    {
        var frames = RawFrames(FixtureFiles.Bytes(TextFixture));
        using var tap = new GenerateContentUsageTap("gemini-2.5-flash", price: null);

        var relayed = await RelayAsync([.. frames[0], .. Encoding.UTF8.GetBytes(badFrame), .. frames[1], .. frames[2]], tap);

        Assert.Equal(frames[0], relayed);
        Assert.Equal(GatewayErrorKind.UpstreamFailed, tap.Error!.Kind);
        Assert.Equal("The upstream sent a malformed stream chunk.", tap.Error.Message);
        Assert.False(tap.Completed);
    }

    [Fact]
    public async Task Passes_comments_through_untouched()
    {
        var body = Encoding.UTF8.GetBytes(": keep-alive\r\n\r\n");
        using var tap = new GenerateContentUsageTap("fast", price: null);

        var relayed = await RelayAsync(body, tap);

        Assert.Equal(body, relayed);
        Assert.Null(tap.Usage);
        Assert.False(tap.Completed);
    }

    [Fact]
    public void Reads_a_usage_metadata_object_into_disjoint_buckets()
    {
        var usage = """{"promptTokenCount": 1290,"candidatesTokenCount": 42,"totalTokenCount": 1550,"cachedContentTokenCount": 1024,"thoughtsTokenCount": 218,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 1290}]}"""u8;

        var read = GenerateContentUsageTap.ReadUsage(usage);

        Assert.Equal(new Usage { InputTokens = 266, CacheReadTokens = 1024, OutputTokens = 42, ReasoningTokens = 218 }, read);
    }

    /// <summary>The JSON of one raw frame's data lines.</summary>
    private static JsonNode Data(byte[] frame)
    {
        var data = new ArrayBufferWriter<byte>();
        Assert.Equal(1, SseFrameScanner.ReadData(frame, data));
        return JsonAssert.Parse(data.WrittenSpan);
    }

    /// <summary>A body cut into its raw frames, each with its blank line, exactly as sent.</summary>
    private static List<byte[]> RawFrames(byte[] body)
    {
        var frames = new List<byte[]>();
        var offset = 0;
        while (SseFrameScanner.FindFrameEnd(body.AsSpan(offset)) is var end and > 0)
        {
            frames.Add(body[offset..(offset + end)]);
            offset += end;
        }

        Assert.Equal(body.Length, offset);
        return frames;
    }

    [Fact]
    public async Task Relays_a_chunk_sent_over_several_data_lines_on_as_many()
    {
        var body = Encoding.UTF8.GetBytes(
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hi\"}],\"role\":\"model\"},\r\ndata: \"finishReason\":\"STOP\",\"index\":0}],\r\ndata: \"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":1,\"totalTokenCount\":4},\"modelVersion\":\"up\"}\r\n\r\n");
        using var tap = new GenerateContentUsageTap("fast", price: null);

        var relayed = await RelayAsync(body, tap);

        var chunk = Assert.Single(EventStreams.StrictEvents(relayed)).Data;
        Assert.Equal("fast", (string?)chunk["modelVersion"]);
        Assert.Equal("STOP", (string?)chunk["candidates"]![0]!["finishReason"]);
        Assert.DoesNotContain("\n\n", Encoding.UTF8.GetString(relayed), StringComparison.Ordinal);
        Assert.True(tap.Completed);
    }

    private static Task<byte[]> RelayAsync(byte[] body, GenerateContentUsageTap tap) => RelayAsync(new MemoryStream(body), tap);

    private static async Task<byte[]> RelayAsync(Stream source, GenerateContentUsageTap tap)
    {
        var output = new ArrayBufferWriter<byte>();
        await SseRelay.RunAsync(source, tap, (bytes, _) =>
        {
            output.Write(bytes.Span);
            return ValueTask.CompletedTask;
        }, TestContext.Current.CancellationToken);
        return output.WrittenSpan.ToArray();
    }
}
