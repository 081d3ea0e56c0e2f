using System.Text;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Sse;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Anthropic;

public sealed class MessagesStreamReaderTests
{
    private const string TextFixture = "anthropic/text.stream.sse";
    private const string ThinkingFixture = "anthropic/thinking-tool-use.stream.sse";
    private const string ParallelFixture = "anthropic/parallel-tool-use.stream.sse";
    private const string OverloadedFixture = "anthropic/overloaded.stream.sse";

    private const string Signature = "EqQBCkgIBxABGAIiQL3nVw0pDcC2Vq1sC+w/y4iCZ3Dd8oJxB3aXq5f8VxKp0zT9J2bG+eR1Y6hQnN7uWm4cLs0aPdF2iXo8EgwN1fQ2rZlH7kU9yWQaDNh1pJ3kQ4mV8tZ6+A==";

    private const string MessageStartFrame = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n";
    private const string TextStartFrame = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
    private const string TextDeltaFrame = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n";
    private const string TextStopFrame = "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
    private const string MessageDeltaFrame = "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":3}}\n\n";
    private const string MessageStopFrame = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    public static TheoryData<string> StreamFixtures => new() { TextFixture, ThinkingFixture, ParallelFixture, OverloadedFixture };

    [Fact]
    public async Task Streams_text_with_input_usage_from_message_start_and_output_from_message_delta()
    {
        var body = FixtureFiles.Bytes(TextFixture);

        var events = await MessagesEventStreams.ReadAsync(body);

        var start = new Usage { InputTokens = 21, CacheWriteTokens = 188, CacheReadTokens = 2051, OutputTokens = 1 };
        var end = start with { OutputTokens = 15 };
        Assert.Equal(
            [
                new ResponseStarted("msg_01PcUfNsrVJ3kmWwW2Hq1Rzs", "claude-sonnet-4-5-20250929") { Created = DateTimeOffset.UnixEpoch, Usage = start },
                new PartStarted(0, PartKind.Text),
                new TextDelta(0, "Bonjour"),
                new TextDelta(0, " ! Ça va 👋"),
                new TextDelta(0, "\n\nComment puis-je"),
                new TextDelta(0, " aider ?"),
                new PartCompleted(0),
                new UsageUpdated(end),
                new ResponseCompleted(FinishReason.Stop, end),
            ],
            events);
    }

    [Fact]
    public async Task Streams_signed_thinking_then_text_then_tool_arguments_as_they_arrive()
    {
        var body = FixtureFiles.Bytes(ThinkingFixture);

        var events = await MessagesEventStreams.ReadAsync(body);

        var usage = new Usage { InputTokens = 423, CacheReadTokens = 3072, OutputTokens = 151 };
        string[] arguments = ["{\"loc", "ation\": \"Flo", "rence,", " Italy\"", ", \"unit\": \"c", "elsius\"}"];
        List<StreamEvent> expected =
        [
            new ResponseStarted("msg_01WBeG2NaYQ8w99747S3n8MZ", "claude-sonnet-4-5-20250929")
            {
                Created = DateTimeOffset.UnixEpoch,
                Usage = new Usage { InputTokens = 423, CacheReadTokens = 3072, OutputTokens = 6 },
            },
            new PartStarted(0, PartKind.Reasoning),
            new ReasoningDelta(0, "The user is asking for"),
            new ReasoningDelta(0, " the weather in Florence, Italy."),
            new ReasoningDelta(0, " I'll call the weather tool."),
            new ReasoningDelta(0, string.Empty) { Signature = Signature },
            new PartCompleted(0),
            new PartStarted(1, PartKind.Text),
            new TextDelta(1, "Let me check the weather"),
            new TextDelta(1, " in Florence."),
            new PartCompleted(1),
            new PartStarted(2, PartKind.ToolCall) { ToolCallId = "toolu_01NRLabsLyVHZPKxbKvkfSMn", ToolName = "weather" },
            .. arguments.Select(fragment => new ToolArgumentsDelta(2, fragment)),
            new PartCompleted(2),
            new UsageUpdated(usage),
            new ResponseCompleted(FinishReason.ToolCalls, usage),
        ];
        Assert.Equal(expected, events);
    }

    [Fact]
    public async Task Gives_each_parallel_tool_use_its_own_part_with_complete_arguments()
    {
        var body = FixtureFiles.Bytes(ParallelFixture);

        var events = await MessagesEventStreams.ReadAsync(body);

        Assert.Equal(
            [
                new PartStarted(0, PartKind.Text),
                new PartStarted(1, PartKind.ToolCall) { ToolCallId = "toolu_01T1x1fJ34qAmk2tNTrN7Up6", ToolName = "get_weather" },
                new PartStarted(2, PartKind.ToolCall) { ToolCallId = "toolu_01Vz8a4BWc3H8qkF7TnLc2Pm", ToolName = "get_weather" },
            ],
            events.OfType<PartStarted>());
        var paris = string.Concat(events.OfType<ToolArgumentsDelta>().Where(d => d.Index == 1).Select(d => d.Json));
        var tokyo = string.Concat(events.OfType<ToolArgumentsDelta>().Where(d => d.Index == 2).Select(d => d.Json));
        JsonAssert.Equal(JsonAssert.Parse("""{"location":"Paris, France"}"""), JsonAssert.Parse(paris));
        JsonAssert.Equal(JsonAssert.Parse("""{"location":"Tokyo, Japan"}"""), JsonAssert.Parse(tokyo));
        Assert.Equal(new ResponseCompleted(FinishReason.ToolCalls, new Usage { InputTokens = 472, OutputTokens = 89 }), events[^1]);
    }

    [Theory]
    [InlineData(ThinkingFixture)]
    [InlineData(ParallelFixture)]
    public async Task Never_coalesces_input_json_deltas(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        var fragments = MessagesEventStreams.Events(await EventStreams.FramesAsync(body))
            .Where(e => e["delta"]?["type"]?.GetValue<string>() == "input_json_delta")
            .Select(e => e["delta"]!["partial_json"]!.GetValue<string>())
            .Where(fragment => fragment.Length > 0)
            .ToList();

        var events = await MessagesEventStreams.ReadAsync(body);

        Assert.True(fragments.Count >= 5);
        Assert.Equal(fragments, events.OfType<ToolArgumentsDelta>().Select(d => d.Json));
    }

    [Theory]
    [MemberData(nameof(StreamFixtures))]
    public async Task Reads_the_same_events_wherever_the_bytes_are_split(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        var expected = await MessagesEventStreams.ReadAsync(body);

        for (var i = 0; i <= body.Length; i++)
        {
            var actual = await MessagesEventStreams.ReadAsync(SegmentedStream.SplitAt(body, i));

            AssertSameEvents(expected, actual, $"split at byte {i} of {body.Length}");
        }

        AssertSameEvents(expected, await MessagesEventStreams.ReadAsync(SegmentedStream.OneBytePerRead(body)), "one byte per read");
        Assert.IsType<ResponseStarted>(expected[0]);
        Assert.True(expected[^1] is ResponseCompleted or ResponseFailed);
    }

    [Fact]
    public async Task Fails_over_on_an_overloaded_error_event_keeping_what_came_before()
    {
        var body = FixtureFiles.Bytes(OverloadedFixture);

        var events = await MessagesEventStreams.ReadAsync(body);

        Assert.Equal(
            [typeof(ResponseStarted), typeof(PartStarted), typeof(TextDelta), typeof(ResponseFailed)],
            events.Select(e => e.GetType()));
        Assert.Equal(new TextDelta(0, "Once upon"), events[2]);
        var error = ((ResponseFailed)events[^1]).Error;
        Assert.Equal(GatewayErrorKind.UpstreamFailed, error.Kind);
        Assert.True(error.AllowsFailover);
        Assert.Equal(529, error.UpstreamStatus);
        Assert.Equal("Overloaded", error.Message);
    }

    [Fact]
    public async Task Reads_a_rate_limit_error_event_as_rate_limited()
    {
        var body = MessageStartFrame + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Number of request tokens has exceeded your per-minute rate limit\"}}\n\n";

        var events = await MessagesEventStreams.ReadAsync(body);

        var error = Assert.IsType<ResponseFailed>(events[^1]).Error;
        Assert.Equal(GatewayErrorKind.RateLimited, error.Kind);
        Assert.True(error.AllowsFailover);
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public async Task Stops_reading_after_an_error_event()
    {
        var body = MessageStartFrame + TextStartFrame + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"}}\n\n" + TextDeltaFrame + TextStopFrame + MessageDeltaFrame + MessageStopFrame;

        var events = await MessagesEventStreams.ReadAsync(body);

        Assert.Equal([typeof(ResponseStarted), typeof(PartStarted), typeof(ResponseFailed)], events.Select(e => e.GetType()));
        Assert.Equal(GatewayErrorKind.UpstreamFailed, ((ResponseFailed)events[^1]).Error.Kind);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public async Task Fails_a_stream_cut_before_message_stop(int frames)
    {
        var body = await FirstFramesAsync(FixtureFiles.Bytes(TextFixture), frames);

        var events = await MessagesEventStreams.ReadAsync(body);

        var failed = Assert.IsType<ResponseFailed>(events[^1]);
        Assert.Equal(GatewayErrorKind.UpstreamFailed, failed.Error.Kind);
        Assert.Equal("upstream_error", failed.Error.Code);
        Assert.DoesNotContain(events, e => e is ResponseCompleted);
    }

    [Fact]
    public async Task Fails_a_stream_cut_inside_a_frame()
    {
        var body = MessageStartFrame + TextStartFrame + TextDeltaFrame + TextStopFrame + MessageDeltaFrame + MessageStopFrame[..^5];

        var events = await MessagesEventStreams.ReadAsync(body);

        Assert.IsType<ResponseFailed>(events[^1]);
        Assert.IsType<UsageUpdated>(events[^2]);
    }

    [Theory]
    [InlineData("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"lo\n\n")]
    [InlineData("event: content_block_delta\ndata: not json\n\n")]
    [InlineData("data: {\"index\":0}\n\n")]
    [InlineData("data: [1,2]\n\n")]
    public async Task Fails_on_a_malformed_event_and_reads_no_further(string badFrame)
    {
        var body = MessageStartFrame + TextStartFrame + TextDeltaFrame + badFrame + TextStopFrame + MessageDeltaFrame + MessageStopFrame;

        var events = await MessagesEventStreams.ReadAsync(body);

        Assert.Equal(
            [typeof(ResponseStarted), typeof(PartStarted), typeof(TextDelta), typeof(ResponseFailed)],
            events.Select(e => e.GetType()));
        Assert.Equal("upstream_error", ((ResponseFailed)events[^1]).Error.Code);
    }

    [Fact]
    public async Task Reads_a_redacted_thinking_block_with_its_data()
    {
        var redacted = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgBEgy3va3pzix/LafPsn4a\"}}\n\n"
            + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
        var body = MessageStartFrame + redacted + TextStartFrame.Replace("\"index\":0", "\"index\":1", StringComparison.Ordinal) + MessageDeltaFrame + MessageStopFrame;

        var events = await MessagesEventStreams.ReadAsync(body);

        Assert.Equal(
            [
                new PartStarted(0, PartKind.Reasoning),
                new ReasoningDelta(0, string.Empty) { RedactedData = "EmwKAhgBEgy3va3pzix/LafPsn4a" },
                new PartCompleted(0),
                new PartStarted(1, PartKind.Text),
            ],
            events[1..5]);
    }

    [Fact]
    public async Task Streams_the_forced_json_output_tool_as_text()
    {
        var body = MessageStartFrame
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"switchyard_json_output\",\"input\":{}}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \"}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"Paris\\\"}\"}}\n\n"
            + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
            + MessageDeltaFrame.Replace("end_turn", "tool_use", StringComparison.Ordinal) + MessageStopFrame;

        var events = await MessagesEventStreams.ReadAsync(body);

        Assert.Equal(
            [
                new PartStarted(0, PartKind.Text),
                new TextDelta(0, "{\"city\": "),
                new TextDelta(0, "\"Paris\"}"),
                new PartCompleted(0),
            ],
            events[1..5]);
        Assert.Equal(FinishReason.Stop, Assert.IsType<ResponseCompleted>(events[^1]).FinishReason);
    }

    [Fact]
    public async Task Reports_a_web_search_whole_and_cites_the_text_it_supports()
    {
        var body = MessageStartFrame
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\",\"input\":{}}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"query\\\":\"}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"weather\\\"}\"}}\n\n"
            + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"web_search_tool_result\",\"tool_use_id\":\"srvtoolu_1\",\"content\":[{\"type\":\"web_search_result\",\"url\":\"https://weather.example/paris\",\"title\":\"Paris weather\",\"encrypted_content\":\"EncC\",\"page_age\":\"1 day\"}]}}\n\n"
            + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
            + TextStartFrame.Replace("\"index\":0", "\"index\":2", StringComparison.Ordinal)
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"citations_delta\",\"citation\":{\"type\":\"web_search_result_location\",\"url\":\"https://weather.example/paris\",\"title\":\"Paris weather\",\"encrypted_index\":\"EncI\",\"cited_text\":\"Sunny, 21C\"}}}\n\n"
            + TextDeltaFrame.Replace("\"index\":0", "\"index\":2", StringComparison.Ordinal)
            + TextStopFrame.Replace("\"index\":0", "\"index\":2", StringComparison.Ordinal)
            + MessageDeltaFrame + MessageStopFrame;

        var events = await MessagesEventStreams.ReadAsync(body);

        var call = Assert.IsType<ServerToolCallPart>(Assert.IsType<PartAdded>(events[1]).Part);
        Assert.Equal(("srvtoolu_1", HostedToolKind.WebSearch, "weather"), (call.Id, call.Kind, call.Query));
        var result = Assert.IsType<ServerToolResultPart>(Assert.IsType<PartAdded>(events[2]).Part);
        var source = Assert.Single(result.Sources);
        Assert.Equal(("srvtoolu_1", "https://weather.example/paris", "Paris weather", "1 day"), (result.ToolCallId, source.Url, source.Title, source.PageAge));
        Assert.Equal([new PartStarted(2, PartKind.Text), new TextDelta(2, "Hel")], events[3..5]);
        var cited = Assert.IsType<CitationAdded>(events[5]);
        Assert.Equal((2, "https://weather.example/paris", 0, 3, "Sunny, 21C"), (cited.Index, cited.Citation.Url, cited.Citation.StartIndex, cited.Citation.EndIndex, cited.Citation.CitedText));
        Assert.Equal(new PartCompleted(2), events[6]);
        Assert.IsType<ResponseCompleted>(events[^1]);
    }

    [Theory]
    [InlineData("max_tokens", FinishReason.Length)]
    [InlineData("stop_sequence", FinishReason.StopSequence)]
    [InlineData("refusal", FinishReason.ContentFilter)]
    public async Task Maps_the_stop_reason(string stopReason, FinishReason finishReason)
    {
        var body = MessageStartFrame + TextStartFrame + TextDeltaFrame + TextStopFrame + MessageDeltaFrame.Replace("end_turn", stopReason, StringComparison.Ordinal) + MessageStopFrame;

        var events = await MessagesEventStreams.ReadAsync(body);

        Assert.Equal(finishReason, Assert.IsType<ResponseCompleted>(events[^1]).FinishReason);
    }

    [Fact]
    public async Task Ignores_pings_comments_and_crlf_line_endings()
    {
        var body = (": keep-alive\n\n" + MessageStartFrame + "event: ping\ndata: {\"type\": \"ping\"}\n\n" + TextStartFrame + TextDeltaFrame + TextStopFrame + MessageDeltaFrame + MessageStopFrame)
            .Replace("\n", "\r\n", StringComparison.Ordinal);

        var events = await MessagesEventStreams.ReadAsync(body);

        Assert.Equal(
            [typeof(ResponseStarted), typeof(PartStarted), typeof(TextDelta), typeof(PartCompleted), typeof(UsageUpdated), typeof(ResponseCompleted)],
            events.Select(e => e.GetType()));
    }

    /// <summary>The first <paramref name="count"/> frames of an SSE body, re-serialized.</summary>
    private static async Task<byte[]> FirstFramesAsync(byte[] body, int count)
    {
        var frames = await EventStreams.FramesAsync(body);
        Assert.True(count < frames.Count);
        return EventStreams.Serialize(frames.Take(count));
    }

    private static void AssertSameEvents(List<StreamEvent> expected, List<StreamEvent> actual, string context)
    {
        if (!expected.SequenceEqual(actual))
        {
            Assert.Fail($"{context}: expected\n{string.Join('\n', expected)}\nbut got\n{string.Join('\n', actual)}");
        }
    }
}
