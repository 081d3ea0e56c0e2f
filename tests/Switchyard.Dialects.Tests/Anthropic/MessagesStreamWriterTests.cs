using System.Text.Json.Nodes;
using System.Threading.Channels;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Sse;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Anthropic;

/// <summary>Neutral events, mostly as the OpenAI chat reader produces them, written in Anthropic's event grammar.</summary>
public sealed class MessagesStreamWriterTests
{
    private const string OpenAIText = "openai-chat/text.stream.sse";
    private const string OpenAIToolCalls = "openai-chat/parallel-tool-calls.stream.sse";
    private const string OpenAIReasoning = "openai-chat/reasoning.stream.sse";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string> OpenAIFixtures => new() { OpenAIText, OpenAIToolCalls, OpenAIReasoning };

    public static TheoryData<string> AnthropicFixtures => new()
    {
        "anthropic/text.stream.sse",
        "anthropic/thinking-tool-use.stream.sse",
        "anthropic/parallel-tool-use.stream.sse",
    };

    [Theory]
    [MemberData(nameof(OpenAIFixtures))]
    public async Task Writes_a_valid_anthropic_event_sequence_for_an_openai_stream(string fixture)
    {
        var read = await EventStreams.ReadChatAsync(FixtureFiles.Bytes(fixture));

        var events = MessagesEventStreams.Events(await MessagesEventStreams.WriteAsync(read));

        MessagesEventStreams.AssertGrammar(events);
        Assert.Equal("message_stop", events[^1]["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Writes_an_openai_text_stream_as_one_text_block()
    {
        var read = await EventStreams.ReadChatAsync(FixtureFiles.Bytes(OpenAIText));

        var events = MessagesEventStreams.Events(await MessagesEventStreams.WriteAsync(read));

        Assert.Equal(
            ["message_start", "content_block_start", .. Enumerable.Repeat("content_block_delta", 7), "content_block_stop", "message_delta", "message_stop"],
            MessagesEventStreams.Types(events));
        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"type":"message_start","message":{
                  "id":"msg_chatcmpl-C3kV2mYgq8B0pXn1sTzR7eLw9aJdF","type":"message","role":"assistant","model":"fast",
                  "content":[],"stop_reason":null,"stop_sequence":null,
                  "usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}
                """),
            events[0]);
        JsonAssert.Equal(JsonAssert.Parse("""{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""), events[1]);
        JsonAssert.Equal(JsonAssert.Parse("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Bonjour"}}"""), events[2]);
        Assert.Equal(
            "Bonjour ! Ça va 👋\n\nComment puis-je aider ?",
            string.Concat(events[2..9].Select(e => e["delta"]!["text"]!.GetValue<string>())));
        JsonAssert.Equal(JsonAssert.Parse("""{"type":"content_block_stop","index":0}"""), events[9]);
        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},
                 "usage":{"input_tokens":86,"cache_creation_input_tokens":0,"cache_read_input_tokens":1920,"output_tokens":12}}
                """),
            events[10]);
        JsonAssert.Equal(JsonAssert.Parse("""{"type":"message_stop"}"""), events[11]);
    }

    [Fact]
    public async Task Gives_each_parallel_tool_call_its_own_block_with_arguments_as_they_arrived()
    {
        var body = FixtureFiles.Bytes(OpenAIToolCalls);
        var read = await EventStreams.ReadChatAsync(body);
        var upstreamFragments = (await EventStreams.FramesAsync(body))
            .Where(f => !f.IsDone)
            .SelectMany(f => EventStreams.Json(f)["choices"]!.AsArray())
            .SelectMany(c => c!["delta"]!["tool_calls"]?.AsArray() ?? [])
            .Select(call => (call!["index"]!.GetValue<int>(), call["function"]!["arguments"]!.GetValue<string>()))
            .Where(f => f.Item2.Length > 0)
            .ToList();

        var events = MessagesEventStreams.Events(await MessagesEventStreams.WriteAsync(read));

        var starts = events.Where(e => e["type"]!.GetValue<string>() == "content_block_start").ToList();
        JsonAssert.Equal(
            JsonAssert.Parse("""{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"call_8VcQmL3pN2xR7tY1wZ4aB6dE","name":"get_weather","input":{}}}"""),
            starts[0]);
        JsonAssert.Equal(
            JsonAssert.Parse("""{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"call_2HsK9fJ5gT0uP8oI3yU7rE1w","name":"get_weather","input":{}}}"""),
            starts[1]);
        Assert.Equal(2, starts.Count);
        var fragments = events
            .Where(e => e["delta"]?["type"]?.GetValue<string>() == "input_json_delta")
            .Select(e => (e["index"]!.GetValue<int>(), e["delta"]!["partial_json"]!.GetValue<string>()))
            .ToList();
        Assert.Equal(22, fragments.Count);
        Assert.Equal(upstreamFragments, fragments);
        Assert.Equal("tool_use", events[^2]["delta"]!["stop_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Signs_a_thinking_block_that_arrived_without_a_signature_before_closing_it()
    {
        var read = await EventStreams.ReadChatAsync(FixtureFiles.Bytes(OpenAIReasoning));

        var events = MessagesEventStreams.Events(await MessagesEventStreams.WriteAsync(read));

        JsonAssert.Equal(
            JsonAssert.Parse("""{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"""),
            events[1]);
        var thinking = events.TakeWhile(e => e["type"]!.GetValue<string>() != "content_block_stop").Skip(2).ToList();
        Assert.Equal(8, thinking.Count);
        Assert.All(thinking[..^1], e => Assert.Equal("thinking_delta", e["delta"]!["type"]!.GetValue<string>()));
        Assert.Equal("Okay, the user asks for 9.11 vs 9.9. 9.9 = 9.90, and 90 > 11.", string.Concat(thinking[..^1].Select(e => e["delta"]!["thinking"]!.GetValue<string>())));
        Assert.Equal("signature_delta", thinking[^1]["delta"]!["type"]!.GetValue<string>());
        Assert.True(ReasoningSignature.IsSwitchyard(thinking[^1]["delta"]!["signature"]!.GetValue<string>()));
        JsonAssert.Equal(JsonAssert.Parse("""{"type":"content_block_stop","index":0}"""), events[10]);
        JsonAssert.Equal(JsonAssert.Parse("""{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"""), events[11]);
        // completion_tokens 96 includes 78 reasoning tokens; Anthropic's output_tokens counts both.
        Assert.Equal(96, events[^2]["usage"]!["output_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Splits_text_and_a_tool_call_from_one_openai_chunk_into_separate_blocks()
    {
        const string Chunk = """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1754812345,"model":"gpt-4o","choices":[{"index":0,"delta":{{DELTA}},"finish_reason":{{FINISH}}}]}""";
        var body = string.Concat(
            "data: ", Chunk.Replace("{{DELTA}}", """{"role":"assistant","content":"Let me check.","tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":"}}]}""", StringComparison.Ordinal).Replace("{{FINISH}}", "null", StringComparison.Ordinal), "\n\n",
            "data: ", Chunk.Replace("{{DELTA}}", """{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}},{"index":1,"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{}"}}]}""", StringComparison.Ordinal).Replace("{{FINISH}}", "null", StringComparison.Ordinal), "\n\n",
            "data: ", Chunk.Replace("{{DELTA}}", "{}", StringComparison.Ordinal).Replace("{{FINISH}}", "\"tool_calls\"", StringComparison.Ordinal), "\n\n",
            "data: [DONE]\n\n");
        var read = await EventStreams.ReadChatAsync(body);

        var events = MessagesEventStreams.Events(await MessagesEventStreams.WriteAsync(read));

        MessagesEventStreams.AssertGrammar(events);
        Assert.Equal(
            [
                """{"type":"text","text":""}""",
                """{"type":"tool_use","id":"call_a","name":"get_weather","input":{}}""",
                """{"type":"tool_use","id":"call_b","name":"get_time","input":{}}""",
            ],
            events.Where(e => e["type"]!.GetValue<string>() == "content_block_start").Select(e => e["content_block"]!.ToJsonString()));
        Assert.Equal(
            [(0, "text_delta"), (1, "input_json_delta"), (1, "input_json_delta"), (2, "input_json_delta")],
            events.Where(e => e["type"]!.GetValue<string>() == "content_block_delta")
                .Select(e => (e["index"]!.GetValue<int>(), e["delta"]!["type"]!.GetValue<string>())));
        Assert.Equal("tool_use", events[^2]["delta"]!["stop_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Streams_tool_arguments_without_waiting_for_the_next_event()
    {
        var channel = Channel.CreateUnbounded<StreamEvent>();
        var frames = AnthropicMessagesDialect.Instance.WriteStream(channel.Reader.ReadAllAsync(Token), new StreamWriteOptions { Model = "fast" }, Token);
        await using var enumerator = frames.GetAsyncEnumerator(Token);
        channel.Writer.TryWrite(new ResponseStarted("chatcmpl-1", "gpt-4o"));
        channel.Writer.TryWrite(new PartStarted(0, PartKind.ToolCall) { ToolCallId = "call_a", ToolName = "get_weather" });
        channel.Writer.TryWrite(new ToolArgumentsDelta(0, "{\"lo"));

        // Everything written so far must come out before the writer is given anything more.
        var beforeMore = new List<SseFrame>();
        while (beforeMore.Count < 3 && await enumerator.MoveNextAsync())
        {
            beforeMore.Add(enumerator.Current);
        }

        var pending = enumerator.MoveNextAsync();
        var waitedForMore = !pending.IsCompleted;
        channel.Writer.TryWrite(new ToolArgumentsDelta(0, "cation\": \"Paris\"}"));
        var gotMore = await pending;
        channel.Writer.Complete();

        Assert.Equal(["message_start", "content_block_start", "content_block_delta"], beforeMore.Select(f => f.EventType));
        JsonAssert.Equal(
            JsonAssert.Parse("""{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"lo"}}"""),
            EventStreams.Json(beforeMore[2]));
        Assert.True(waitedForMore);
        Assert.True(gotMore);
        Assert.Equal("cation\": \"Paris\"}", EventStreams.Json(enumerator.Current)["delta"]!["partial_json"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ends_a_failed_stream_with_an_error_event_and_no_message_stop()
    {
        List<StreamEvent> events =
        [
            new ResponseStarted("chatcmpl-1", "gpt-4o"),
            new PartStarted(0, PartKind.Text),
            new TextDelta(0, "Hel"),
            new ResponseFailed(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream failed.") { Code = "upstream_error" }),
            new TextDelta(0, "lo"),
            new ResponseCompleted(FinishReason.Stop, Usage.Empty),
        ];

        var written = MessagesEventStreams.Events(await MessagesEventStreams.WriteAsync(events));

        Assert.Equal(["message_start", "content_block_start", "content_block_delta", "error"], MessagesEventStreams.Types(written));
        JsonAssert.Equal(
            JsonAssert.Parse("""{"type":"error","error":{"type":"api_error","message":"The upstream failed."}}"""),
            written[^1]);
        MessagesEventStreams.AssertGrammar(written);
    }

    [Theory]
    [InlineData(GatewayErrorKind.AllDeploymentsBusy, "overloaded_error")]
    [InlineData(GatewayErrorKind.RateLimited, "rate_limit_error")]
    [InlineData(GatewayErrorKind.UpstreamTimeout, "timeout_error")]
    public async Task Names_the_error_event_by_its_kind(GatewayErrorKind kind, string type)
    {
        List<StreamEvent> events = [new ResponseStarted("chatcmpl-1", "gpt-4o"), new ResponseFailed(new GatewayError(kind, "No."))];

        var written = MessagesEventStreams.Events(await MessagesEventStreams.WriteAsync(events));

        Assert.Equal(type, written[^1]["error"]!["type"]!.GetValue<string>());
        Assert.Equal(2, written.Count);
    }

    [Theory]
    [MemberData(nameof(AnthropicFixtures))]
    public async Task Round_trips_an_anthropic_stream_from_reader_to_writer_and_back(string fixture)
    {
        var read = await MessagesEventStreams.ReadAsync(FixtureFiles.Bytes(fixture));

        var frames = await MessagesEventStreams.WriteAsync(read);
        var reread = await MessagesEventStreams.ReadAsync(EventStreams.Serialize(frames));

        MessagesEventStreams.AssertGrammar(MessagesEventStreams.Events(frames));
        var started = Assert.IsType<ResponseStarted>(read[0]);
        Assert.Equal([started with { Model = "fast" }, .. read[1..]], reread);
    }

    [Fact]
    public async Task Keeps_an_anthropic_signature_instead_of_adding_one()
    {
        var read = await MessagesEventStreams.ReadAsync(FixtureFiles.Bytes("anthropic/thinking-tool-use.stream.sse"));

        var events = MessagesEventStreams.Events(await MessagesEventStreams.WriteAsync(read));

        var signatures = events.Where(e => e["delta"]?["type"]?.GetValue<string>() == "signature_delta").ToList();
        var signature = Assert.Single(signatures)["delta"]!["signature"]!.GetValue<string>();
        Assert.False(ReasoningSignature.IsSwitchyard(signature));
        Assert.StartsWith("EqQBCkgIBxABGAIiQL3n", signature, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reports_the_clients_model_not_the_upstreams()
    {
        var read = await MessagesEventStreams.ReadAsync(FixtureFiles.Bytes("anthropic/text.stream.sse"));

        var events = MessagesEventStreams.Events(await MessagesEventStreams.WriteAsync(read, model: "house-model"));

        Assert.Equal("house-model", events[0]["message"]!["model"]!.GetValue<string>());
        Assert.DoesNotContain(events, e => e.ToJsonString().Contains("claude-sonnet", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Gives_each_event_its_own_event_line()
    {
        var read = await MessagesEventStreams.ReadAsync(FixtureFiles.Bytes("anthropic/text.stream.sse"));

        var wire = System.Text.Encoding.UTF8.GetString(EventStreams.Serialize(await MessagesEventStreams.WriteAsync(read)));

        var frames = wire.Split("\n\n")[..^1];
        Assert.Equal(9, frames.Length);
        Assert.All(frames, f =>
        {
            var lines = f.Split('\n');
            Assert.Equal(2, lines.Length);
            Assert.StartsWith("event: ", lines[0], StringComparison.Ordinal);
            Assert.StartsWith("data: ", lines[1], StringComparison.Ordinal);
            Assert.Equal(lines[0]["event: ".Length..], JsonNode.Parse(lines[1]["data: ".Length..])!["type"]!.GetValue<string>());
        });
    }
}
