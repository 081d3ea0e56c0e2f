using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Sse;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Anthropic;

/// <summary>Anthropic streams relayed to Anthropic clients (passthrough) through <see cref="SseRelay"/>.</summary>
public sealed class MessagesUsageTapTests
{
    private const string TextFixture = "anthropic/text.stream.sse";
    private const string ThinkingFixture = "anthropic/thinking-tool-use.stream.sse";
    private const string ParallelFixture = "anthropic/parallel-tool-use.stream.sse";
    private const string OverloadedFixture = "anthropic/overloaded.stream.sse";

    private const string AfterTheError = "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
        + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":3}}\n\n"
        + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    public static TheoryData<string> Fixtures => new() { TextFixture, ThinkingFixture, ParallelFixture, OverloadedFixture };

    [Theory]
    [InlineData(TextFixture)]
    [InlineData(ThinkingFixture)]
    [InlineData(ParallelFixture)]
    public async Task Relays_every_frame_byte_for_byte_but_the_model_and_the_cost(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        var upstream = RawFrames(body);
        using var tap = new MessagesUsageTap("fast", price: _ => 0.0125m);

        var relayed = RawFrames(await RelayAsync(body, tap));

        Assert.Equal(upstream.Count, relayed.Count);
        for (var i = 0; i < upstream.Count; i++)
        {
            var expected = Data(upstream[i]);
            switch (expected["type"]!.GetValue<string>())
            {
                case "message_start":
                    expected["message"]!["model"] = "fast";
                    AssertEvent("message_start", expected, relayed[i]);
                    break;
                case "message_delta":
                    expected["usage"]!["cost"] = JsonNode.Parse("0.0125");
                    AssertEvent("message_delta", expected, relayed[i]);
                    break;
                default:
                    Assert.Equal(upstream[i], relayed[i]);
                    break;
            }
        }
    }

    [Theory]
    [InlineData(TextFixture, "claude-sonnet-4-5-20250929")]
    [InlineData(ThinkingFixture, "claude-sonnet-4-5-20250929")]
    [InlineData(ParallelFixture, "claude-haiku-4-5-20251001")]
    public async Task Copies_the_stream_byte_for_byte_when_nothing_needs_editing(string fixture, string model)
    {
        var body = FixtureFiles.Bytes(fixture);
        using var tap = new MessagesUsageTap(model, price: null);

        var relayed = await RelayAsync(body, tap);

        Assert.Equal(Encoding.UTF8.GetString(body), Encoding.UTF8.GetString(relayed));
        Assert.True(tap.Completed);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Relays_the_same_bytes_wherever_the_upstream_split_them(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        using var whole = new MessagesUsageTap("fast", price: _ => 0.5m);
        var expected = await RelayAsync(body, whole);

        for (var i = 0; i <= body.Length; i++)
        {
            using var tap = new MessagesUsageTap("fast", price: _ => 0.5m);

            var actual = await RelayAsync(SegmentedStream.SplitAt(body, i), tap);

            Assert.True(expected.AsSpan().SequenceEqual(actual), $"split at byte {i} changed the relayed bytes");
            Assert.Equal(whole.Usage, tap.Usage);
            Assert.Equal(whole.Completed, tap.Completed);
            Assert.Equal(whole.Error, tap.Error);
        }

        using var oneByOne = new MessagesUsageTap("fast", price: _ => 0.5m);
        Assert.Equal(expected, await RelayAsync(SegmentedStream.OneBytePerRead(body), oneByOne));
        Assert.NotNull(whole.Usage);
    }

    [Fact]
    public async Task Reads_input_from_message_start_and_output_from_message_delta_and_prices_them()
    {
        var body = FixtureFiles.Bytes(TextFixture);
        var priced = new List<Usage>();
        using var tap = new MessagesUsageTap("fast", price: usage =>
        {
            priced.Add(usage);
            return 0.0125m;
        });

        await RelayAsync(body, tap);

        var usage = new Usage { InputTokens = 21, CacheWriteTokens = 188, CacheReadTokens = 2051, OutputTokens = 15 };
        Assert.Equal([usage], priced);
        Assert.Equal(usage with { Cost = 0.0125m }, tap.Usage);
        Assert.True(tap.Completed);
        Assert.Null(tap.Error);
    }

    [Fact]
    public async Task Takes_the_cumulative_usage_of_a_message_delta_that_repeats_the_input()
    {
        var body = FixtureFiles.Bytes(ThinkingFixture);
        using var tap = new MessagesUsageTap("fast", price: null);

        await RelayAsync(body, tap);

        Assert.Equal(new Usage { InputTokens = 423, CacheReadTokens = 3072, OutputTokens = 151 }, tap.Usage);
    }

    [Fact]
    public async Task Is_not_completed_when_the_stream_ends_before_message_stop()
    {
        var frames = RawFrames(FixtureFiles.Bytes(ParallelFixture));
        var body = frames[..^1].SelectMany(f => f).ToArray();
        using var tap = new MessagesUsageTap("fast", price: null);

        var relayed = await RelayAsync(body, tap);

        Assert.False(tap.Completed);
        Assert.Null(tap.Error);
        Assert.Equal(new Usage { InputTokens = 472, OutputTokens = 89 }, tap.Usage);
        Assert.Equal(frames.Count - 1, RawFrames(relayed).Count);
    }

    [Fact]
    public async Task Holds_back_an_error_event_and_reports_it_for_failover()
    {
        var body = FixtureFiles.Bytes(OverloadedFixture);
        var frames = RawFrames(body);
        using var tap = new MessagesUsageTap("claude-opus-4-1-20250805", price: null);

        var relayed = await RelayAsync(body, tap);

        Assert.Equal(frames[..^1].SelectMany(f => f), relayed);
        Assert.Equal(GatewayErrorKind.UpstreamFailed, tap.Error!.Kind);
        Assert.True(tap.Error.AllowsFailover);
        Assert.Equal(529, tap.Error.UpstreamStatus);
        Assert.Equal("Overloaded", tap.Error.Message);
        Assert.False(tap.Completed);
        Assert.Equal(new Usage { InputTokens = 12, OutputTokens = 1 }, tap.Usage);
    }

    [Fact]
    public async Task Relays_nothing_after_an_error_event_so_the_error_frame_ends_the_stream()
    {
        var body = FixtureFiles.Bytes(OverloadedFixture);
        var beforeTheError = RawFrames(body)[..^1].SelectMany(f => f).ToArray();
        using var tap = new MessagesUsageTap("claude-opus-4-1-20250805", price: _ => 1m);

        var relayed = await RelayAsync([.. body, .. Encoding.UTF8.GetBytes(AfterTheError)], tap);

        Assert.Equal(beforeTheError, relayed);
        Assert.Equal("Overloaded", tap.Error!.Message);
        Assert.False(tap.Completed);
    }

    [Theory]
    [InlineData("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\n\n", "The upstream sent a malformed stream event.")]
    [InlineData("event: error\ndata: {\"type\":\"error\",\"error\":\"Overloaded\"}\n\n", "The upstream failed.")]
    [InlineData("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":\"many\"}}\n\n", "The upstream sent a malformed stream event.")]
    public async Task Reports_a_malformed_event_and_relays_nothing_from_it_on(string badFrame, string message)
    {
        var frames = RawFrames(FixtureFiles.Bytes(TextFixture));
        var beforeTheBadFrame = frames[..3].SelectMany(f => f).ToArray();
        using var tap = new MessagesUsageTap("claude-sonnet-4-5-20250929", price: null);

        var relayed = await RelayAsync([.. beforeTheBadFrame, .. Encoding.UTF8.GetBytes(badFrame), .. frames[3..].SelectMany(f => f)], tap);

        Assert.Equal(Encoding.UTF8.GetString(beforeTheBadFrame), Encoding.UTF8.GetString(relayed));
        Assert.Equal(GatewayErrorKind.UpstreamFailed, tap.Error!.Kind);
        Assert.Equal(message, tap.Error.Message);
        Assert.False(tap.Completed);
    }

    [Fact]
    public async Task Passes_comments_and_pings_through_untouched()
    {
        var body = Encoding.UTF8.GetBytes(": keep-alive\n\nevent: ping\ndata: {\"type\": \"ping\"}\n\n");
        using var tap = new MessagesUsageTap("fast", price: null);

        var relayed = await RelayAsync(body, tap);

        Assert.Equal(body, relayed);
        Assert.Null(tap.Usage);
        Assert.False(tap.Completed);
    }

    private static void AssertEvent(string type, JsonNode expected, byte[] frame)
    {
        Assert.StartsWith($"event: {type}\ndata: ", Encoding.UTF8.GetString(frame), StringComparison.Ordinal);
        JsonAssert.Equal(expected, Data(frame));
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
    public async Task Relays_events_sent_over_several_data_lines_on_as_many()
    {
        var body = Encoding.UTF8.GetBytes(
            "event: message_start\ndata: {\"type\":\"message_start\",\ndata: \"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"up\",\"content\":[],\"usage\":{\"input_tokens\":3,\ndata: \"output_tokens\":1}}}\n\n"
            + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\ndata: \"stop_sequence\":null},\"usage\":{\"output_tokens\":2}}\n\n"
            + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        using var tap = new MessagesUsageTap("fast", price: _ => 0.5m);

        var events = EventStreams.StrictEvents(await RelayAsync(body, tap));

        Assert.Equal(["message_start", "message_delta", "message_stop"], events.Select(e => e.Type));
        Assert.Equal("fast", (string?)events[0].Data["message"]!["model"]);
        Assert.Equal(0.5, (double?)events[1].Data["usage"]!["cost"]);
        Assert.Equal(new Usage { InputTokens = 3, OutputTokens = 2, Cost = 0.5m }, tap.Usage);
    }

    private static Task<byte[]> RelayAsync(byte[] body, MessagesUsageTap tap) => RelayAsync(new MemoryStream(body), tap);

    private static async Task<byte[]> RelayAsync(Stream source, MessagesUsageTap tap)
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
