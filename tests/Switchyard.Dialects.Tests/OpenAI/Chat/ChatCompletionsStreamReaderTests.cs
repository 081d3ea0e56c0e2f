using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.OpenAI.Chat;

public sealed class ChatCompletionsStreamReaderTests
{
    private const string TextFixture = "openai-chat/text.stream.sse";
    private const string ToolCallsFixture = "openai-chat/parallel-tool-calls.stream.sse";
    private const string ReasoningFixture = "openai-chat/reasoning.stream.sse";
    private const string AzureFixture = "openai-chat/azure-content-filter.stream.sse";

    public static TheoryData<string> StreamFixtures => new() { TextFixture, ToolCallsFixture, ReasoningFixture, AzureFixture };

    [Fact]
    public async Task Streams_text_then_usage_from_the_separate_usage_chunk()
    {
        var body = FixtureFiles.Bytes(TextFixture);

        var events = await EventStreams.ReadChatAsync(body);

        // prompt_tokens 2006 includes 1920 cached; the buckets must not count them twice.
        var usage = new Usage { InputTokens = 86, CacheReadTokens = 1920, OutputTokens = 12 };
        Assert.Equal(
            [
                new ResponseStarted("chatcmpl-C3kV2mYgq8B0pXn1sTzR7eLw9aJdF", "gpt-4o-mini-2024-07-18") { Created = DateTimeOffset.FromUnixTimeSeconds(1754812345) },
                new PartStarted(0, PartKind.Text),
                new TextDelta(0, "Bonjour"),
                new TextDelta(0, " !"),
                new TextDelta(0, " Ça va"),
                new TextDelta(0, " 👋"),
                new TextDelta(0, "\n\nComment"),
                new TextDelta(0, " puis-je"),
                new TextDelta(0, " aider ?"),
                new PartCompleted(0),
                new UsageUpdated(usage),
                new ResponseCompleted(FinishReason.Stop, usage),
            ],
            events);
        Assert.Equal(Usage.FromInclusive(promptTokens: 2006, cachedTokens: 1920, completionTokens: 12, reasoningTokens: 0), usage);
    }

    [Fact]
    public async Task Streams_tool_arguments_as_they_arrive()
    {
        var body = FixtureFiles.Bytes(ToolCallsFixture);

        var events = await EventStreams.ReadChatAsync(body);

        string[] paris = ["{\"lo", "cation", "\": \"P", "aris", ", Fr", "ance", "\", \"u", "nit", "\": \"c", "elsius", "\"}"];
        string[] tokyo = ["{\"lo", "cation", "\": \"T", "okyo", ", J", "apan", "\", \"u", "nit", "\": \"c", "elsius", "\"}"];
        var usage = new Usage { InputTokens = 82, OutputTokens = 51 };
        List<StreamEvent> expected =
        [
            new ResponseStarted("chatcmpl-C3kX8aLq0vRz5YbN2uWcT1oPeHs4G", "gpt-4o-2024-08-06") { Created = DateTimeOffset.FromUnixTimeSeconds(1754812401) },
            new PartStarted(0, PartKind.ToolCall) { ToolCallId = "call_8VcQmL3pN2xR7tY1wZ4aB6dE", ToolName = "get_weather" },
            .. paris.Select(fragment => new ToolArgumentsDelta(0, fragment)),
            new PartCompleted(0),
            new PartStarted(1, PartKind.ToolCall) { ToolCallId = "call_2HsK9fJ5gT0uP8oI3yU7rE1w", ToolName = "get_weather" },
            .. tokyo.Select(fragment => new ToolArgumentsDelta(1, fragment)),
            new PartCompleted(1),
            new UsageUpdated(usage),
            new ResponseCompleted(FinishReason.ToolCalls, usage),
        ];
        Assert.Equal(expected, events);
    }

    [Fact]
    public async Task Gives_each_parallel_tool_call_its_own_part_with_complete_arguments()
    {
        var body = FixtureFiles.Bytes(ToolCallsFixture);

        var events = await EventStreams.ReadChatAsync(body);

        var starts = events.OfType<PartStarted>().ToList();
        Assert.Equal([0, 1], starts.Select(s => s.Index));
        Assert.All(starts, s => Assert.Equal(PartKind.ToolCall, s.Kind));
        var paris = string.Concat(events.OfType<ToolArgumentsDelta>().Where(d => d.Index == 0).Select(d => d.Json));
        var tokyo = string.Concat(events.OfType<ToolArgumentsDelta>().Where(d => d.Index == 1).Select(d => d.Json));
        JsonAssert.Equal(JsonAssert.Parse("""{"location":"Paris, France","unit":"celsius"}"""), JsonAssert.Parse(paris));
        JsonAssert.Equal(JsonAssert.Parse("""{"location":"Tokyo, Japan","unit":"celsius"}"""), JsonAssert.Parse(tokyo));
    }

    [Fact]
    public async Task Never_coalesces_tool_argument_deltas()
    {
        var body = FixtureFiles.Bytes(ToolCallsFixture);
        var fragments = (await EventStreams.FramesAsync(body))
            .Where(f => !f.IsDone)
            .SelectMany(f => EventStreams.Json(f)["choices"]!.AsArray())
            .SelectMany(c => c!["delta"]!["tool_calls"]?.AsArray() ?? [])
            .Select(call => call!["function"]!["arguments"]!.GetValue<string>())
            .Where(arguments => arguments.Length > 0)
            .ToList();

        var events = await EventStreams.ReadChatAsync(body);

        Assert.Equal(22, fragments.Count);
        Assert.Equal(fragments, events.OfType<ToolArgumentsDelta>().Select(d => d.Json));
    }

    [Fact]
    public async Task Streams_reasoning_then_text_as_separate_parts()
    {
        var body = FixtureFiles.Bytes(ReasoningFixture);

        var events = await EventStreams.ReadChatAsync(body);

        // completion_tokens 96 includes 78 reasoning tokens.
        var usage = new Usage { InputTokens = 17, OutputTokens = 18, ReasoningTokens = 78 };
        string[] thoughts = ["Okay", ", the user", " asks for 9.11", " vs 9.9.", " 9.9 = 9.90", ", and 90 > 11", "."];
        string[] answer = ["9.9", " is", " larger", " than 9.11."];
        List<StreamEvent> expected =
        [
            new ResponseStarted("4f1d2a3c-9b8e-4c7d-a6f5-0e1d2c3b4a59", "deepseek-reasoner") { Created = DateTimeOffset.FromUnixTimeSeconds(1754812460) },
            new PartStarted(0, PartKind.Reasoning),
            .. thoughts.Select(t => new ReasoningDelta(0, t)),
            new PartCompleted(0),
            new PartStarted(1, PartKind.Text),
            .. answer.Select(t => new TextDelta(1, t)),
            new PartCompleted(1),
            new UsageUpdated(usage),
            new ResponseCompleted(FinishReason.Stop, usage),
        ];
        Assert.Equal(expected, events);
    }

    [Theory]
    [MemberData(nameof(StreamFixtures))]
    public async Task Reads_the_same_events_wherever_the_bytes_are_split(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        var expected = await EventStreams.ReadChatAsync(body);

        for (var i = 0; i <= body.Length; i++)
        {
            var actual = await EventStreams.ReadChatAsync(SegmentedStream.SplitAt(body, i));

            AssertSameEvents(expected, actual, $"split at byte {i} of {body.Length}");
        }

        AssertSameEvents(expected, await EventStreams.ReadChatAsync(SegmentedStream.OneBytePerRead(body)), "one byte per read");
        Assert.IsType<ResponseCompleted>(expected[^1]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("data: [DONE]\n\n")]
    [InlineData(RoleChunk + ContentChunk)]
    [InlineData(RoleChunk + ContentChunk + "data: [DONE]\n\n")]
    [InlineData(RoleChunk + ContentChunk + UsageChunk + "data: [DONE]\n\n")]
    public async Task Fails_a_stream_that_ends_without_a_finish_reason(string body)
    {
        var events = await EventStreams.ReadChatAsync(body);

        var failed = Assert.IsType<ResponseFailed>(events[^1]);
        Assert.Equal(GatewayErrorKind.UpstreamFailed, failed.Error.Kind);
        Assert.DoesNotContain(events, e => e is ResponseCompleted);
    }

    [Fact]
    public async Task Keeps_what_arrived_before_an_unfinished_stream_failed()
    {
        var body = RoleChunk + ContentChunk;

        var events = await EventStreams.ReadChatAsync(body);

        Assert.Equal(
            [typeof(ResponseStarted), typeof(PartStarted), typeof(TextDelta), typeof(ResponseFailed)],
            events.Select(e => e.GetType()));
        Assert.Equal(new TextDelta(0, "Hel"), events[2]);
    }

    [Theory]
    [InlineData("data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\n\n")]
    [InlineData("data: not json\n\n")]
    [InlineData("data: null\n\n")]
    [InlineData("data: [1,2]\n\n")]
    [InlineData("data: {\"choices\":\"many\"}\n\n")]
    public async Task Fails_on_a_malformed_frame_and_reads_no_further(string badFrame)
    {
        var body = RoleChunk + ContentChunk + badFrame + FinishChunk + "data: [DONE]\n\n";

        var events = await EventStreams.ReadChatAsync(body);

        Assert.Equal(
            [typeof(ResponseStarted), typeof(PartStarted), typeof(TextDelta), typeof(ResponseFailed)],
            events.Select(e => e.GetType()));
        var failed = (ResponseFailed)events[^1];
        Assert.Equal(GatewayErrorKind.UpstreamFailed, failed.Error.Kind);
        Assert.Equal("upstream_error", failed.Error.Code);
    }

    [Fact]
    public async Task Reads_past_fields_it_does_not_use_whatever_their_type()
    {
        // Fields the reader does not turn into events are skipped, not typed: a server that sends
        // them in another shape (or a null error) does not fail the stream; a content that is not a
        // string carries no text.
        const string Odd = "data: {\"id\":\"chatcmpl-1\",\"object\":7,\"created\":1,\"model\":\"m\",\"system_fingerprint\":42,\"service_tier\":{\"tier\":[1]},"
            + "\"error\":null,\"obfuscation\":\"abc\",\"choices\":[{\"index\":\"0\",\"logprobs\":{\"content\":[]},\"delta\":{\"role\":7,\"content\":[{\"type\":\"text\",\"text\":\"no\"}],\"extra\":true},\"finish_reason\":null}]}\n\n";
        var body = RoleChunk + Odd + ContentChunk + FinishChunk + "data: [DONE]\n\n";

        var events = await EventStreams.ReadChatAsync(body);

        Assert.Equal(
            [typeof(ResponseStarted), typeof(PartStarted), typeof(TextDelta), typeof(PartCompleted), typeof(ResponseCompleted)],
            events.Select(e => e.GetType()));
        Assert.Equal(new TextDelta(0, "Hel"), events[2]);
    }

    [Fact]
    public async Task Fails_on_an_error_frame_with_the_upstreams_scrubbed_message()
    {
        const string ErrorFrame = "data: {\"error\":{\"message\":\"The server had an error processing your request (host 10.1.2.3:443).\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n";
        var body = RoleChunk + ContentChunk + ErrorFrame + FinishChunk + "data: [DONE]\n\n";

        var events = await EventStreams.ReadChatAsync(body);

        var failed = Assert.IsType<ResponseFailed>(events[^1]);
        Assert.Equal(4, events.Count);
        Assert.Equal(GatewayErrorKind.UpstreamFailed, failed.Error.Kind);
        Assert.Equal("The server had an error processing your request (host [address]).", failed.Error.Message);
    }

    [Fact]
    public async Task Fails_on_an_error_frame_before_any_content()
    {
        const string ErrorFrame = "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n";

        var events = await EventStreams.ReadChatAsync(ErrorFrame);

        var failed = Assert.IsType<ResponseFailed>(Assert.Single(events));
        Assert.Equal("overloaded", failed.Error.Message);
        Assert.True(failed.Error.AllowsFailover);
    }

    [Fact]
    public async Task Reads_the_same_failure_wherever_the_bytes_are_split()
    {
        var body = System.Text.Encoding.UTF8.GetBytes(RoleChunk + ContentChunk + "data: {\"error\":{\"message\":\"boom\"}}\n\n");
        var expected = await EventStreams.ReadChatAsync(body);

        for (var i = 0; i <= body.Length; i++)
        {
            AssertSameEvents(expected, await EventStreams.ReadChatAsync(SegmentedStream.SplitAt(body, i)), $"split at byte {i}");
        }

        Assert.Equal("boom", Assert.IsType<ResponseFailed>(expected[^1]).Error.Message);
    }

    [Fact]
    public async Task Ignores_comments_and_crlf_line_endings()
    {
        var body = (": keep-alive\n\n" + RoleChunk + ": still here\n\n" + ContentChunk + FinishChunk + "data: [DONE]\n\n").Replace("\n", "\r\n", StringComparison.Ordinal);

        var events = await EventStreams.ReadChatAsync(body);

        Assert.Equal(
            [typeof(ResponseStarted), typeof(PartStarted), typeof(TextDelta), typeof(PartCompleted), typeof(ResponseCompleted)],
            events.Select(e => e.GetType()));
        Assert.Equal(new ResponseCompleted(FinishReason.Stop, Usage.Empty), events[^1]);
    }

    [Fact]
    public async Task Skips_null_entries_in_tool_call_deltas()
    {
        var toolChunk = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1754812345,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[null,{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},\"finish_reason\":null}]}\n\n";
        var body = RoleChunk + toolChunk + FinishChunk.Replace("\"stop\"", "\"tool_calls\"", StringComparison.Ordinal);

        var events = await EventStreams.ReadChatAsync(body);

        Assert.Equal(
            [
                new ResponseStarted("chatcmpl-1", "gpt-4o") { Created = DateTimeOffset.FromUnixTimeSeconds(1754812345) },
                new PartStarted(0, PartKind.ToolCall) { ToolCallId = "call_1", ToolName = "f" },
                new ToolArgumentsDelta(0, "{}"),
                new PartCompleted(0),
                new ResponseCompleted(FinishReason.ToolCalls, Usage.Empty),
            ],
            events);
    }

    [Theory]
    [InlineData("length", FinishReason.Length)]
    [InlineData("tool_calls", FinishReason.ToolCalls)]
    [InlineData("function_call", FinishReason.ToolCalls)]
    [InlineData("content_filter", FinishReason.ContentFilter)]
    [InlineData("something_new", FinishReason.Other)]
    public async Task Maps_the_finish_reason(string wire, FinishReason neutral)
    {
        var body = RoleChunk + ContentChunk + FinishChunk.Replace("\"stop\"", $"\"{wire}\"", StringComparison.Ordinal);

        var events = await EventStreams.ReadChatAsync(body);

        Assert.Equal(neutral, Assert.IsType<ResponseCompleted>(events[^1]).FinishReason);
    }

    private const string RoleChunk = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1754812345,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n";
    private const string ContentChunk = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1754812345,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n";
    private const string FinishChunk = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1754812345,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n";
    private const string UsageChunk = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1754812345,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}\n\n";

    private static void AssertSameEvents(List<StreamEvent> expected, List<StreamEvent> actual, string context)
    {
        if (!expected.SequenceEqual(actual))
        {
            Assert.Fail($"{context}: expected\n{string.Join('\n', expected)}\nbut got\n{string.Join('\n', actual)}");
        }
    }

    [Fact]
    public async Task Starts_an_azure_stream_at_its_first_real_chunk_after_the_prompt_filter_results()
    {
        var body = FixtureFiles.Bytes(AzureFixture);

        var events = await EventStreams.ReadChatAsync(body);

        var usage = new Usage { InputTokens = 9, OutputTokens = 1 };
        Assert.Equal(
            [
                new ResponseStarted("chatcmpl-AZ1", "gpt-4o-2024-11-20") { Created = DateTimeOffset.FromUnixTimeSeconds(1767225600) },
                new PartStarted(0, PartKind.Text),
                new TextDelta(0, "Hello"),
                new PartCompleted(0),
                new UsageUpdated(usage),
                new ResponseCompleted(FinishReason.Stop, usage),
            ],
            events);
    }
}
