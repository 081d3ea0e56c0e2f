using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Gemini;

/// <summary><c>streamGenerateContent?alt=sse</c> bodies, as Google sends them (CRLF line endings), read into neutral events.</summary>
public sealed class GenerateContentStreamReaderTests
{
    private const string TextFixture = "gemini/text.stream.sse";
    private const string ToolCallsFixture = "gemini/thinking-tool-calls.stream.sse";
    private const string OverloadedFixture = "gemini/overloaded.stream.sse";

    private const string HelloChunk = "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hel\"}],\"role\": \"model\"},\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 4,\"totalTokenCount\": 4},\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"r1\"}\r\n\r\n";
    private const string FinishChunk = "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"lo\"}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 4,\"candidatesTokenCount\": 2,\"totalTokenCount\": 6},\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"r1\"}\r\n\r\n";

    public static TheoryData<string> StreamFixtures => new() { TextFixture, ToolCallsFixture, OverloadedFixture };

    [Fact]
    public async Task Streams_text_over_several_chunks_with_the_usage_of_each()
    {
        var body = FixtureFiles.Bytes(TextFixture);

        var events = await GeminiEventStreams.ReadAsync(body);

        // promptTokenCount includes the cached tokens; candidatesTokenCount excludes the thoughts.
        var early = new Usage { InputTokens = 151, CacheReadTokens = 1920, ReasoningTokens = 187 };
        var final = early with { OutputTokens = 12 };
        Assert.Equal(
            [
                new ResponseStarted("kP3OaNfLJ4ak1dkPyqL-oQk", "gemini-2.5-flash") { Created = DateTimeOffset.UnixEpoch },
                new PartStarted(0, PartKind.Text),
                new TextDelta(0, "Bonjour"),
                new UsageUpdated(early),
                new TextDelta(0, " ! Ça va 👋\n\nComment"),
                new UsageUpdated(early),
                new TextDelta(0, " puis-je aider ?"),
                new UsageUpdated(final),
                new PartCompleted(0),
                new ResponseCompleted(FinishReason.Stop, final),
            ],
            events);
    }

    [Fact]
    public async Task Streams_a_thought_then_text_then_each_whole_function_call_as_a_complete_part()
    {
        var body = FixtureFiles.Bytes(ToolCallsFixture);
        var chunks = (await EventStreams.FramesAsync(body)).Select(EventStreams.Json).ToList();
        var signature = chunks[3]["candidates"]![0]!["content"]!["parts"]![0]!["thoughtSignature"]!.GetValue<string>();

        var events = await GeminiEventStreams.ReadAsync(body);

        var ids = events.OfType<PartStarted>().Where(p => p.Kind == PartKind.ToolCall).Select(p => p.ToolCallId!).ToList();
        var usage = new Usage { InputTokens = 164, ReasoningTokens = 147 };
        var final = usage with { OutputTokens = 41 };
        List<StreamEvent> expected =
        [
            new ResponseStarted("7vHOaL2dMa6Cz7IPvK2xiA4", "gemini-2.5-pro") { Created = DateTimeOffset.UnixEpoch },
            new PartStarted(0, PartKind.Reasoning),
            new ReasoningDelta(0, "**Checking two cities**\n\nThe user wants the weather in Paris and Tokyo and the local time in Tokyo. I'll call get_weather for both cities and get_time for Tokyo."),
            new UsageUpdated(usage),
            new PartCompleted(0),
            new PartStarted(1, PartKind.Text),
            new TextDelta(1, "Let me look up"),
            new UsageUpdated(usage),
            new TextDelta(1, " both cities."),
            new UsageUpdated(usage),
            new PartCompleted(1),
            new PartStarted(2, PartKind.Reasoning),
            new ReasoningDelta(2, string.Empty) { Signature = ReasoningSignature.Wrap("gemini", signature) },
            new PartCompleted(2),
            new PartStarted(3, PartKind.ToolCall) { ToolCallId = ids[0], ToolName = "get_weather" },
            new ToolArgumentsDelta(3, """{"location": "Paris, France"}"""),
            new PartCompleted(3),
            new UsageUpdated(usage),
            new PartStarted(4, PartKind.ToolCall) { ToolCallId = ids[1], ToolName = "get_weather" },
            new ToolArgumentsDelta(4, """{"location": "Tokyo, Japan"}"""),
            new PartCompleted(4),
            new PartStarted(5, PartKind.ToolCall) { ToolCallId = ids[2], ToolName = "get_time" },
            new ToolArgumentsDelta(5, """{"timezone": "Asia/Tokyo"}"""),
            new PartCompleted(5),
            new UsageUpdated(final),
            new ResponseCompleted(FinishReason.ToolCalls, final),
        ];
        Assert.Equal(expected, events);
        Assert.Equal(3, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^call_[0-9a-f]{24}$", id));
    }

    [Fact]
    public async Task Unwraps_the_streamed_signature_to_exactly_what_gemini_sent()
    {
        var body = FixtureFiles.Bytes(ToolCallsFixture);
        var chunks = (await EventStreams.FramesAsync(body)).Select(EventStreams.Json).ToList();

        var events = await GeminiEventStreams.ReadAsync(body);

        var signed = Assert.Single(events.OfType<ReasoningDelta>(), d => d.Signature is not null);
        Assert.True(ReasoningSignature.TryUnwrap(signed.Signature, out var source, out var original));
        Assert.Equal("gemini", source);
        Assert.Equal(chunks[3]["candidates"]![0]!["content"]!["parts"]![0]!["thoughtSignature"]!.GetValue<string>(), original);
    }

    [Fact]
    public async Task Gives_the_same_call_ids_when_the_same_stream_is_read_again()
    {
        var body = FixtureFiles.Bytes(ToolCallsFixture);

        var first = await GeminiEventStreams.ReadAsync(body);
        var second = await GeminiEventStreams.ReadAsync(body);

        Assert.Equal(first.OfType<PartStarted>().Select(p => p.ToolCallId), second.OfType<PartStarted>().Select(p => p.ToolCallId));
    }

    [Theory]
    [MemberData(nameof(StreamFixtures))]
    public async Task Reads_the_same_events_wherever_the_bytes_are_split(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        var expected = await GeminiEventStreams.ReadAsync(body);

        for (var i = 0; i <= body.Length; i++)
        {
            var actual = await GeminiEventStreams.ReadAsync(SegmentedStream.SplitAt(body, i));

            GeminiEventStreams.AssertSameEvents(expected, actual, $"split at byte {i} of {body.Length}");
        }

        GeminiEventStreams.AssertSameEvents(expected, await GeminiEventStreams.ReadAsync(SegmentedStream.OneBytePerRead(body)), "one byte per read");
        Assert.IsType<ResponseStarted>(expected[0]);
        Assert.True(expected[^1] is ResponseCompleted or ResponseFailed);
    }

    [Theory]
    [MemberData(nameof(StreamFixtures))]
    public void Keeps_googles_crlf_line_endings_in_the_fixtures(string fixture)
    {
        var body = System.Text.Encoding.UTF8.GetString(FixtureFiles.Bytes(fixture));

        var bareBreaks = body.Replace("\r\n", string.Empty, StringComparison.Ordinal).Count(c => c is '\r' or '\n');

        Assert.Equal(0, bareBreaks);
        Assert.StartsWith("data: {", body, StringComparison.Ordinal);
        Assert.EndsWith("}\r\n\r\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fails_with_the_error_chunk_keeping_what_came_before()
    {
        var body = FixtureFiles.Bytes(OverloadedFixture);

        var events = await GeminiEventStreams.ReadAsync(body);

        Assert.Equal(
            [typeof(ResponseStarted), typeof(PartStarted), typeof(TextDelta), typeof(UsageUpdated), typeof(ResponseFailed)],
            events.Select(e => e.GetType()));
        Assert.Equal(new TextDelta(0, "Once upon"), events[2]);
        var error = ((ResponseFailed)events[^1]).Error;
        Assert.Equal(GatewayErrorKind.UpstreamFailed, error.Kind);
        Assert.True(error.AllowsFailover);
        Assert.Equal(503, error.UpstreamStatus);
        Assert.Equal("The model is overloaded. Please try again later.", error.Message);
    }

    [Theory]
    [InlineData(429, "RESOURCE_EXHAUSTED", GatewayErrorKind.RateLimited)]
    [InlineData(400, "INVALID_ARGUMENT", GatewayErrorKind.InvalidRequest)]
    [InlineData(500, "INTERNAL", GatewayErrorKind.UpstreamFailed)]
    public async Task Reads_the_error_chunk_by_its_code(int code, string status, GatewayErrorKind kind)
    {
        var body = $"data: {{\"error\": {{\"code\": {code},\"message\": \"No.\",\"status\": \"{status}\"}}}}\r\n\r\n";

        var events = await GeminiEventStreams.ReadAsync(body);

        var error = Assert.IsType<ResponseFailed>(Assert.Single(events)).Error;
        Assert.Equal(kind, error.Kind);
        Assert.Equal(code, error.UpstreamStatus);
    }

    [Fact]
    public async Task Stops_reading_after_an_error_chunk()
    {
        var body = HelloChunk + "data: {\"error\": {\"code\": 500,\"message\": \"Internal error encountered.\",\"status\": \"INTERNAL\"}}\r\n\r\n" + FinishChunk;

        var events = await GeminiEventStreams.ReadAsync(body);

        Assert.Equal(
            [typeof(ResponseStarted), typeof(PartStarted), typeof(TextDelta), typeof(UsageUpdated), typeof(ResponseFailed)],
            events.Select(e => e.GetType()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Fails_a_stream_that_ends_before_a_finish_reason(int frames)
    {
        var all = await EventStreams.FramesAsync(FixtureFiles.Bytes(TextFixture));
        var body = EventStreams.Serialize(all.Take(frames));

        var events = await GeminiEventStreams.ReadAsync(body);

        var failed = Assert.IsType<ResponseFailed>(events[^1]);
        Assert.Equal(GatewayErrorKind.UpstreamFailed, failed.Error.Kind);
        Assert.Equal("upstream_error", failed.Error.Code);
        Assert.DoesNotContain(events, e => e is ResponseCompleted);
    }

    [Fact]
    public async Task Fails_a_stream_cut_inside_the_last_chunk()
    {
        var body = HelloChunk + FinishChunk[..^20];

        var events = await GeminiEventStreams.ReadAsync(body);

        Assert.IsType<ResponseFailed>(events[^1]);
        Assert.Equal(new TextDelta(0, "Hel"), events[2]);
    }

    [Theory]
    [InlineData("data: not json\r\n\r\n")]
    [InlineData("data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"lo\r\n\r\n")]
    [InlineData("data: [1,2]\r\n\r\n")]
    [InlineData("data: null\r\n\r\n")]
    public async Task Fails_on_a_malformed_chunk_and_reads_no_further(string badFrame)
    {
        var body = HelloChunk + badFrame + FinishChunk;

        var events = await GeminiEventStreams.ReadAsync(body);

        Assert.Equal(
            [typeof(ResponseStarted), typeof(PartStarted), typeof(TextDelta), typeof(UsageUpdated), typeof(ResponseFailed)],
            events.Select(e => e.GetType()));
        Assert.Equal("upstream_error", ((ResponseFailed)events[^1]).Error.Code);
    }

    [Theory]
    [InlineData("MAX_TOKENS", FinishReason.Length)]
    [InlineData("SAFETY", FinishReason.ContentFilter)]
    [InlineData("RECITATION", FinishReason.ContentFilter)]
    [InlineData("STOP", FinishReason.Stop)]
    public async Task Maps_the_finish_reason(string finishReason, FinishReason expected)
    {
        var body = HelloChunk + FinishChunk.Replace("\"STOP\"", $"\"{finishReason}\"", StringComparison.Ordinal);

        var events = await GeminiEventStreams.ReadAsync(body);

        Assert.Equal(expected, Assert.IsType<ResponseCompleted>(events[^1]).FinishReason);
    }

    [Fact]
    public async Task Reads_gemini_3s_final_signature_on_an_empty_text_part_as_signed_reasoning()
    {
        var body = HelloChunk
            + "data: {\"candidates\": [{\"content\": {\"role\": \"model\",\"parts\": [{\"text\": \"\",\"thoughtSignature\": \"AY89a18iOcFus5wr5bW5xN6zZ4aU/+0=\"}]},\"finishReason\": \"STOP\"}],\"usageMetadata\": {\"promptTokenCount\": 4,\"candidatesTokenCount\": 1,\"totalTokenCount\": 5},\"modelVersion\": \"gemini-3-flash-preview\",\"responseId\": \"r1\"}\r\n\r\n";

        var events = await GeminiEventStreams.ReadAsync(body);

        Assert.Equal(
            [
                new PartCompleted(0),
                new PartStarted(1, PartKind.Reasoning),
                new ReasoningDelta(1, string.Empty) { Signature = ReasoningSignature.Wrap("gemini", "AY89a18iOcFus5wr5bW5xN6zZ4aU/+0=") },
                new PartCompleted(1),
                new UsageUpdated(new Usage { InputTokens = 4, OutputTokens = 1 }),
                new ResponseCompleted(FinishReason.Stop, new Usage { InputTokens = 4, OutputTokens = 1 }),
            ],
            events[4..]);
    }

    [Fact]
    public async Task Skips_empty_text_and_chunks_without_candidates()
    {
        var body = HelloChunk
            + "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"\"}],\"role\": \"model\"},\"index\": 0}],\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"r1\"}\r\n\r\n"
            + "data: {\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"r1\"}\r\n\r\n"
            + FinishChunk;

        var events = await GeminiEventStreams.ReadAsync(body);

        Assert.Equal(
            [
                new PartStarted(0, PartKind.Text),
                new TextDelta(0, "Hel"),
                new TextDelta(0, "lo"),
                new PartCompleted(0),
            ],
            events.Where(e => e is PartStarted or TextDelta or PartCompleted));
        Assert.IsType<ResponseCompleted>(events[^1]);
    }

    [Fact]
    public async Task Ignores_comments_and_lf_line_endings()
    {
        var body = (": keep-alive\r\n\r\n" + HelloChunk + FinishChunk).Replace("\r\n", "\n", StringComparison.Ordinal);

        var events = await GeminiEventStreams.ReadAsync(body);

        Assert.Equal(
            [typeof(ResponseStarted), typeof(PartStarted), typeof(TextDelta), typeof(UsageUpdated), typeof(TextDelta), typeof(UsageUpdated), typeof(PartCompleted), typeof(ResponseCompleted)],
            events.Select(e => e.GetType()));
    }
}
