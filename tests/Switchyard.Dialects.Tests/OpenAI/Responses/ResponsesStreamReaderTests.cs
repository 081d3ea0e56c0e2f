using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.OpenAI.Responses;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.OpenAI.Responses;

/// <summary>Responses upstream streams, as OpenAI sends them, read into neutral events.</summary>
public sealed class ResponsesStreamReaderTests
{
    private const string TextFixture = "openai-responses/text.stream.sse";
    private const string FunctionCallFixture = "openai-responses/function-call.stream.sse";
    private const string ReasoningFixture = "openai-responses/reasoning.stream.sse";
    private const string IncompleteFixture = "openai-responses/incomplete.stream.sse";
    private const string FailedFixture = "openai-responses/failed.stream.sse";
    private const string ErrorFixture = "openai-responses/error.stream.sse";

    private const string EncryptedContent = "gAAAAABopcXy3Qe0Tt7u4L1hZfR2a_9kq8yPp0nYw6Jd-Ue5Xb2Vc1sGm4Hk7Lo3Ni9Rq0Tw8Zx2Ay5Bv6Cu7Dt8Es9Fr0Gq1Hp2Io3Jn4Km5Ll6Mk7Nj8Oi9Ph0Qg1Rf2Se3Td4Uc5Vb6Wa7Xz8Yy9Zx0_w1v2u3t4s5r6q7p8o9n0m==";

    public static TheoryData<string> StreamFixtures => new() { TextFixture, FunctionCallFixture, ReasoningFixture, IncompleteFixture, FailedFixture, ErrorFixture };

    [Fact]
    public async Task Streams_text_deltas_as_they_arrive_with_usage_in_disjoint_buckets()
    {
        var body = FixtureFiles.Bytes(TextFixture);

        var events = await ResponsesEventStreams.ReadAsync(body);

        var usage = new Usage { InputTokens = 86, CacheReadTokens = 1920, OutputTokens = 12 };
        Assert.Equal(
            [
                new ResponseStarted("resp_68a5c3e9f0d881a0b7c4d2e1f3a5b6c70e9d8c7b6a5f4e3d", "gpt-4.1-2025-04-14") { Created = DateTimeOffset.FromUnixTimeSeconds(1755694057) },
                new PartStarted(0, PartKind.Text),
                new TextDelta(0, "Bonjour"),
                new TextDelta(0, " !"),
                new TextDelta(0, " Ça va"),
                new TextDelta(0, " 👋"),
                new TextDelta(0, "\n\nComment puis-je"),
                new TextDelta(0, " aider ?"),
                new PartCompleted(0),
                new UsageUpdated(usage),
                new ResponseCompleted(FinishReason.Stop, usage),
            ],
            events);
    }

    [Fact]
    public async Task Streams_function_call_arguments_fragment_by_fragment_and_finishes_with_tool_calls()
    {
        var body = FixtureFiles.Bytes(FunctionCallFixture);
        var fragments = ResponsesEventStreams.Events(await EventStreams.FramesAsync(body))
            .Where(e => ResponsesEventStreams.Type(e) == "response.function_call_arguments.delta")
            .Select(e => e["delta"]!.GetValue<string>())
            .ToList();

        var events = await ResponsesEventStreams.ReadAsync(body);

        var usage = new Usage { InputTokens = 84, OutputTokens = 19 };
        Assert.Equal(12, fragments.Count);
        Assert.Equal(
            [
                new ResponseStarted("resp_68a5c4b2d3e481a09f8e7d6c5b4a39280e9d8c7b6a5f4e3d", "gpt-4.1-2025-04-14") { Created = DateTimeOffset.FromUnixTimeSeconds(1755694258) },
                new PartStarted(0, PartKind.ToolCall) { ToolCallId = "call_Xk2mZ8GJbQk5r1XrGFhYHt7B", ToolName = "get_weather" },
                .. fragments.Select(f => new ToolArgumentsDelta(0, f)),
                new PartCompleted(0),
                new UsageUpdated(usage),
                new ResponseCompleted(FinishReason.ToolCalls, usage),
            ],
            events);
        JsonAssert.Equal(
            JsonAssert.Parse("""{"location":"Paris, France","unit":"celsius"}"""),
            JsonAssert.Parse(string.Concat(events.OfType<ToolArgumentsDelta>().Select(d => d.Json))));
    }

    [Fact]
    public async Task Streams_reasoning_summaries_then_the_encrypted_content_as_a_switchyard_signature()
    {
        var body = FixtureFiles.Bytes(ReasoningFixture);

        var events = await ResponsesEventStreams.ReadAsync(body);

        var usage = new Usage { InputTokens = 176, CacheReadTokens = 1024, OutputTokens = 36, ReasoningTokens = 384 };
        const string itemId = "rs_68a5c5f2c4d581a0b9a8f7e6d5c4b3a20e9d8c7b6a5f4e3d";
        Assert.Equal(
            [
                new ResponseStarted("resp_68a5c5f1e2d381a0a7b6c5d4e3f2a1b00e9d8c7b6a5f4e3d", "gpt-5-mini-2025-08-07") { Created = DateTimeOffset.FromUnixTimeSeconds(1755694577) },
                new PartStarted(0, PartKind.Reasoning),
                new ReasoningDelta(0, "**Comparing"),
                new ReasoningDelta(0, " decimals**\n\n"),
                new ReasoningDelta(0, "9.9 is 9.90"),
                new ReasoningDelta(0, ", and 90 > 11"),
                new ReasoningDelta(0, "."),
                new ReasoningDelta(0, "\n\n"),
                new ReasoningDelta(0, "**Answering"),
                new ReasoningDelta(0, "**\n\nSo 9.9 is larger."),
                new ReasoningDelta(0, string.Empty) { Signature = ResponsesMapping.EncryptedReasoningSignature(itemId, EncryptedContent) },
                new PartCompleted(0),
                new PartStarted(1, PartKind.Text),
                new TextDelta(1, "9.9"),
                new TextDelta(1, " is"),
                new TextDelta(1, " larger"),
                new TextDelta(1, " than 9.11."),
                new PartCompleted(1),
                new UsageUpdated(usage),
                new ResponseCompleted(FinishReason.Stop, usage),
            ],
            events);
    }

    [Fact]
    public async Task Joins_summary_parts_the_way_a_whole_response_does()
    {
        var frames = ResponsesEventStreams.Events(await EventStreams.FramesAsync(FixtureFiles.Bytes(ReasoningFixture)));
        var whole = OpenAIResponsesDialect.Instance.ReadResponse(System.Text.Encoding.UTF8.GetBytes(frames[^1]["response"]!.ToJsonString()));

        var events = await ResponsesEventStreams.ReadAsync(FixtureFiles.Bytes(ReasoningFixture));

        var streamed = string.Concat(events.OfType<ReasoningDelta>().Where(d => d.Index == 0).Select(d => d.Text));
        Assert.Equal(Assert.IsType<ReasoningPart>(whole.Parts[0]).Text, streamed);
    }

    [Fact]
    public async Task Carries_the_signature_that_a_whole_response_would_carry()
    {
        var frames = ResponsesEventStreams.Events(await EventStreams.FramesAsync(FixtureFiles.Bytes(ReasoningFixture)));
        var whole = OpenAIResponsesDialect.Instance.ReadResponse(System.Text.Encoding.UTF8.GetBytes(frames[^1]["response"]!.ToJsonString()));

        var events = await ResponsesEventStreams.ReadAsync(FixtureFiles.Bytes(ReasoningFixture));

        var signature = Assert.Single(events.OfType<ReasoningDelta>(), d => d.Signature is not null).Signature;
        Assert.Equal(Assert.IsType<ReasoningPart>(whole.Parts[0]).Signature, signature);
        Assert.True(ResponsesMapping.TryReadEncryptedReasoning(signature, out var itemId, out var encrypted));
        Assert.Equal("rs_68a5c5f2c4d581a0b9a8f7e6d5c4b3a20e9d8c7b6a5f4e3d", itemId);
        Assert.Equal(EncryptedContent, encrypted);
    }

    [Fact]
    public async Task Finishes_an_incomplete_response_with_length_and_its_usage()
    {
        var body = FixtureFiles.Bytes(IncompleteFixture);

        var events = await ResponsesEventStreams.ReadAsync(body);

        var usage = new Usage { InputTokens = 25, OutputTokens = 16 };
        Assert.Equal([new UsageUpdated(usage), new ResponseCompleted(FinishReason.Length, usage)], events[^2..]);
        Assert.Equal("Once upon a time, in a valley far away, there", string.Concat(events.OfType<TextDelta>().Select(d => d.Text)));
    }

    [Fact]
    public async Task Finishes_a_content_filtered_response_with_content_filter()
    {
        var body = System.Text.Encoding.UTF8.GetString(FixtureFiles.Bytes(IncompleteFixture)).Replace("\"reason\":\"max_output_tokens\"", "\"reason\":\"content_filter\"", StringComparison.Ordinal);

        var events = await ResponsesEventStreams.ReadAsync(body);

        Assert.Equal(FinishReason.ContentFilter, Assert.IsType<ResponseCompleted>(events[^1]).FinishReason);
    }

    [Fact]
    public async Task Fails_on_response_failed_with_the_upstreams_message_keeping_what_came_before()
    {
        var body = FixtureFiles.Bytes(FailedFixture);

        var events = await ResponsesEventStreams.ReadAsync(body);

        Assert.Equal(
            [typeof(ResponseStarted), typeof(PartStarted), typeof(TextDelta), typeof(ResponseFailed)],
            events.Select(e => e.GetType()));
        Assert.Equal(new TextDelta(0, "Once upon"), events[2]);
        var error = ((ResponseFailed)events[^1]).Error;
        Assert.Equal(GatewayErrorKind.UpstreamFailed, error.Kind);
        Assert.True(error.AllowsFailover);
        Assert.Equal("The model produced invalid content. Consider modifying your prompt if you are seeing this error persistently.", error.Message);
    }

    [Fact]
    public async Task Reads_a_rate_limit_error_event_as_rate_limited()
    {
        var body = FixtureFiles.Bytes(ErrorFixture);

        var events = await ResponsesEventStreams.ReadAsync(body);

        Assert.Equal([typeof(ResponseStarted), typeof(ResponseFailed)], events.Select(e => e.GetType()));
        var error = ((ResponseFailed)events[^1]).Error;
        Assert.Equal(GatewayErrorKind.RateLimited, error.Kind);
        Assert.Equal(429, error.UpstreamStatus);
        Assert.True(error.AllowsFailover);
        Assert.StartsWith("Rate limit reached for gpt-4.1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(StreamFixtures))]
    public async Task Reads_the_same_events_wherever_the_bytes_are_split(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        var expected = await ResponsesEventStreams.ReadAsync(body);

        for (var i = 0; i <= body.Length; i++)
        {
            var actual = await ResponsesEventStreams.ReadAsync(SegmentedStream.SplitAt(body, i));

            AssertSameEvents(expected, actual, $"split at byte {i} of {body.Length}");
        }

        AssertSameEvents(expected, await ResponsesEventStreams.ReadAsync(SegmentedStream.OneBytePerRead(body)), "one byte per read");
        Assert.IsType<ResponseStarted>(expected[0]);
        Assert.True(expected[^1] is ResponseCompleted or ResponseFailed);
    }

    [Theory]
    [InlineData(TextFixture)]
    [InlineData(FunctionCallFixture)]
    [InlineData(ReasoningFixture)]
    [InlineData(IncompleteFixture)]
    [InlineData(FailedFixture)]
    public async Task Fixtures_follow_the_responses_event_grammar(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);

        var events = ResponsesEventStreams.Events(await EventStreams.FramesAsync(body));

        ResponsesEventStreams.AssertGrammar(events);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public async Task Fails_a_stream_cut_before_its_terminal_event(int frames)
    {
        var body = await FirstFramesAsync(FixtureFiles.Bytes(TextFixture), frames);

        var events = await ResponsesEventStreams.ReadAsync(body);

        var failed = Assert.IsType<ResponseFailed>(events[^1]);
        Assert.Equal(GatewayErrorKind.UpstreamFailed, failed.Error.Kind);
        Assert.Equal("upstream_error", failed.Error.Code);
        Assert.DoesNotContain(events, e => e is ResponseCompleted);
    }

    [Theory]
    [InlineData("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\n\n")]
    [InlineData("event: response.output_text.delta\ndata: not json\n\n")]
    [InlineData("data: {\"sequence_number\":4}\n\n")]
    [InlineData("data: [1,2]\n\n")]
    public async Task Fails_on_a_malformed_event_and_reads_no_further(string badFrame)
    {
        var frames = await EventStreams.FramesAsync(FixtureFiles.Bytes(TextFixture));
        var body = System.Text.Encoding.UTF8.GetString(EventStreams.Serialize(frames.Take(5))) + badFrame + System.Text.Encoding.UTF8.GetString(EventStreams.Serialize(frames.Skip(5)));

        var events = await ResponsesEventStreams.ReadAsync(body);

        Assert.Equal(
            [typeof(ResponseStarted), typeof(PartStarted), typeof(TextDelta), typeof(ResponseFailed)],
            events.Select(e => e.GetType()));
        Assert.Equal("upstream_error", ((ResponseFailed)events[^1]).Error.Code);
    }

    [Fact]
    public async Task Ignores_comments_crlf_line_endings_and_events_it_does_not_model()
    {
        var frames = await EventStreams.FramesAsync(FixtureFiles.Bytes(TextFixture));
        var annotation = "event: response.output_text.annotation.added\ndata: {\"type\":\"response.output_text.annotation.added\",\"sequence_number\":5,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"annotation_index\":0,\"annotation\":{\"type\":\"url_citation\",\"url\":\"https://example.com\",\"title\":\"Example\",\"start_index\":0,\"end_index\":7}}\n\n";
        var body = (": keep-alive\n\n" + System.Text.Encoding.UTF8.GetString(EventStreams.Serialize(frames.Take(4))) + annotation + System.Text.Encoding.UTF8.GetString(EventStreams.Serialize(frames.Skip(4))))
            .Replace("\n", "\r\n", StringComparison.Ordinal);

        var events = await ResponsesEventStreams.ReadAsync(body);

        Assert.Equal(await ResponsesEventStreams.ReadAsync(FixtureFiles.Bytes(TextFixture)), events);
    }

    [Fact]
    public async Task Reads_nothing_after_the_terminal_event()
    {
        var text = FixtureFiles.Bytes(TextFixture);
        var body = System.Text.Encoding.UTF8.GetString(text) + System.Text.Encoding.UTF8.GetString(FixtureFiles.Bytes(ErrorFixture));

        var events = await ResponsesEventStreams.ReadAsync(body);

        Assert.Equal(await ResponsesEventStreams.ReadAsync(text), events);
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
