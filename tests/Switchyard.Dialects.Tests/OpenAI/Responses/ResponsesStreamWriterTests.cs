using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.OpenAI.Responses;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.OpenAI.Responses;

/// <summary>Neutral events, as the OpenAI, Anthropic, Gemini and Responses readers produce them, written in the Responses event grammar.</summary>
public sealed class ResponsesStreamWriterTests
{
    private const string OpenAIText = "openai-chat/text.stream.sse";
    private const string OpenAIToolCalls = "openai-chat/parallel-tool-calls.stream.sse";
    private const string OpenAIReasoning = "openai-chat/reasoning.stream.sse";
    private const string AnthropicThinking = "anthropic/thinking-tool-use.stream.sse";

    private static readonly StreamWriteOptions Options = new() { Model = "fast", ResponseId = "resp_gateway_1" };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string> Fixtures => new()
    {
        OpenAIText,
        OpenAIToolCalls,
        OpenAIReasoning,
        "anthropic/text.stream.sse",
        AnthropicThinking,
        "anthropic/parallel-tool-use.stream.sse",
        "gemini/text.stream.sse",
        "gemini/thinking-tool-calls.stream.sse",
        "openai-responses/text.stream.sse",
        "openai-responses/function-call.stream.sse",
        "openai-responses/reasoning.stream.sse",
        "openai-responses/incomplete.stream.sse",
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Writes_every_stream_in_the_responses_grammar_with_its_text_calls_reasoning_and_usage(string fixture)
    {
        var read = await ReadAsync(fixture);

        var events = ResponsesEventStreams.Events(await ResponsesEventStreams.WriteAsync(read, Options));

        var response = ResponsesEventStreams.AssertGrammar(events);
        var output = response["output"]!.AsArray();
        Assert.Equal(Texts(read, PartKind.Text), output.Where(IsType("message")).SelectMany(m => m!["content"]!.AsArray()).Select(c => c!["text"]!.GetValue<string>()));
        Assert.Equal(
            read.OfType<PartStarted>().Where(p => p.Kind == PartKind.ToolCall).Select(p => (p.ToolCallId, p.ToolName, Arguments(read, p.Index))),
            output.Where(IsType("function_call")).Select(c => ((string?)c!["call_id"]!.GetValue<string>(), (string?)c["name"]!.GetValue<string>(), c["arguments"]!.GetValue<string>())));
        Assert.Equal(Texts(read, PartKind.Reasoning).Where(t => t.Length > 0), output.Where(IsType("reasoning")).SelectMany(r => r!["summary"]!.AsArray()).Select(s => s!["text"]!.GetValue<string>()));
        var completed = Assert.IsType<ResponseCompleted>(read[^1]);
        Assert.Equal(completed.FinishReason == FinishReason.Length ? "response.incomplete" : "response.completed", ResponsesEventStreams.Type(events[^1]));
        Assert.Equal(completed.Usage.TotalInputTokens, response["usage"]!["input_tokens"]!.GetValue<long>());
        Assert.Equal(completed.Usage.CacheReadTokens, response["usage"]!["input_tokens_details"]!["cached_tokens"]!.GetValue<long>());
        Assert.Equal(completed.Usage.TotalOutputTokens, response["usage"]!["output_tokens"]!.GetValue<long>());
        Assert.Equal(completed.Usage.ReasoningTokens, response["usage"]!["output_tokens_details"]!["reasoning_tokens"]!.GetValue<long>());
    }

    [Fact]
    public async Task Writes_a_chat_text_stream_as_one_message_with_a_delta_per_chunk()
    {
        var read = await EventStreams.ReadChatAsync(FixtureFiles.Bytes(OpenAIText));

        var events = ResponsesEventStreams.Events(await ResponsesEventStreams.WriteAsync(read, Options));

        var deltas = read.OfType<TextDelta>().Select(d => d.Text).ToList();
        Assert.Equal(
            [
                "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
                .. deltas.Select(_ => "response.output_text.delta"),
                "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed",
            ],
            ResponsesEventStreams.Types(events));
        Assert.Equal(deltas, events.Where(e => ResponsesEventStreams.Type(e) == "response.output_text.delta").Select(e => e["delta"]!.GetValue<string>()));
        var message = events[2]["item"]!;
        JsonAssert.Equal(
            JsonAssert.Parse($$"""{"id":"{{ResponsesEventStreams.ItemId(message)}}","type":"message","status":"in_progress","role":"assistant","content":[]}"""),
            message);
        JsonAssert.Equal(
            JsonAssert.Parse($$$"""
                {"type":"response.content_part.added","sequence_number":3,"item_id":"{{{ResponsesEventStreams.ItemId(message)}}}","output_index":0,"content_index":0,
                 "part":{"type":"output_text","text":"","annotations":[],"logprobs":[]}}
                """),
            events[3]);
        Assert.StartsWith("msg_", ResponsesEventStreams.ItemId(message), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streams_each_function_calls_arguments_as_they_arrive_and_repeats_them_whole_when_done()
    {
        var read = await EventStreams.ReadChatAsync(FixtureFiles.Bytes(OpenAIToolCalls));

        var events = ResponsesEventStreams.Events(await ResponsesEventStreams.WriteAsync(read, Options));

        var added = events.Where(e => ResponsesEventStreams.Type(e) == "response.output_item.added").Select(e => e["item"]!).ToList();
        Assert.Equal(["call_8VcQmL3pN2xR7tY1wZ4aB6dE", "call_2HsK9fJ5gT0uP8oI3yU7rE1w"], added.Select(i => i["call_id"]!.GetValue<string>()));
        Assert.All(added, i => Assert.Equal(string.Empty, i["arguments"]!.GetValue<string>()));
        Assert.All(added, i => Assert.StartsWith("fc_", ResponsesEventStreams.ItemId(i), StringComparison.Ordinal));
        Assert.Equal(
            read.OfType<ToolArgumentsDelta>().Select(d => d.Json),
            events.Where(e => ResponsesEventStreams.Type(e) == "response.function_call_arguments.delta").Select(e => e["delta"]!.GetValue<string>()));
        var done = events.Where(e => ResponsesEventStreams.Type(e) == "response.function_call_arguments.done").ToList();
        Assert.Equal(["get_weather", "get_weather"], done.Select(e => e["name"]!.GetValue<string>()));
        JsonAssert.Equal(JsonAssert.Parse("""{"location":"Paris, France","unit":"celsius"}"""), JsonAssert.Parse(done[0]["arguments"]!.GetValue<string>()));
        JsonAssert.Equal(JsonAssert.Parse("""{"location":"Tokyo, Japan","unit":"celsius"}"""), JsonAssert.Parse(done[1]["arguments"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Writes_chat_reasoning_content_as_a_reasoning_item_with_a_summary_before_the_message()
    {
        var read = await EventStreams.ReadChatAsync(FixtureFiles.Bytes(OpenAIReasoning));

        var events = ResponsesEventStreams.Events(await ResponsesEventStreams.WriteAsync(read, Options));

        var types = ResponsesEventStreams.Types(events);
        Assert.Equal(["response.created", "response.in_progress", "response.output_item.added", "response.reasoning_summary_part.added"], types[..4]);
        Assert.Equal("reasoning", events[2]["item"]!["type"]!.GetValue<string>());
        var summary = events.Single(e => ResponsesEventStreams.Type(e) == "response.reasoning_summary_text.done")["text"]!.GetValue<string>();
        Assert.Equal("Okay, the user asks for 9.11 vs 9.9. 9.9 = 9.90, and 90 > 11.", summary);
        var response = events[^1]["response"]!;
        Assert.Equal(["reasoning", "message"], response["output"]!.AsArray().Select(i => i!["type"]!.GetValue<string>()));
        Assert.Equal(78, response["usage"]!["output_tokens_details"]!["reasoning_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Reads_back_its_own_stream_as_the_events_it_was_given()
    {
        var read = await ResponsesEventStreams.ReadAsync(FixtureFiles.Bytes("openai-responses/reasoning.stream.sse"));
        var started = Assert.IsType<ResponseStarted>(read[0]);

        var frames = await ResponsesEventStreams.WriteAsync(read, new StreamWriteOptions { Model = started.Model, ResponseId = started.Id });
        var reread = await ResponsesEventStreams.ReadAsync(EventStreams.Serialize(frames));

        // The encrypted reasoning comes back whole, on the writer's own item id.
        Assert.Equal(read.Select(WithoutItemId), reread.Select(WithoutItemId));
    }

    private static StreamEvent WithoutItemId(StreamEvent e) =>
        e is ReasoningDelta { Signature: { } signature } delta && ResponsesMapping.TryReadEncryptedReasoning(signature, out _, out var content)
            ? delta with { Signature = content }
            : e;

    [Fact]
    public async Task Reports_the_gateway_response_id_the_clients_model_and_its_metadata_in_every_response_event()
    {
        var read = await MessagesEventStreams.ReadAsync(FixtureFiles.Bytes(AnthropicThinking));
        var options = Options with { Metadata = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["session"] = "8d1b" }) };

        var events = ResponsesEventStreams.Events(await ResponsesEventStreams.WriteAsync(read, options));

        var responses = events.Where(e => e["response"] is not null).Select(e => e["response"]!).ToList();
        Assert.Equal(3, responses.Count);
        Assert.All(responses, r => Assert.Equal("resp_gateway_1", r["id"]!.GetValue<string>()));
        Assert.All(responses, r => Assert.Equal("fast", r["model"]!.GetValue<string>()));
        Assert.All(responses, r => JsonAssert.Equal(JsonAssert.Parse("""{"session":"8d1b"}"""), r["metadata"]));
        Assert.All(responses[..2], r => Assert.Null(r["usage"]));
    }

    [Fact]
    public async Task Ends_with_response_incomplete_when_the_output_was_cut_short()
    {
        List<StreamEvent> events =
        [
            new ResponseStarted("chatcmpl-1", "gpt-4o"),
            new PartStarted(0, PartKind.Text),
            new TextDelta(0, "Once upon"),
            new ResponseCompleted(FinishReason.Length, new Usage { InputTokens = 5, OutputTokens = 2 }),
        ];

        var written = ResponsesEventStreams.Events(await ResponsesEventStreams.WriteAsync(events, Options));

        var response = ResponsesEventStreams.AssertGrammar(written);
        Assert.Equal("response.incomplete", ResponsesEventStreams.Type(written[^1]));
        JsonAssert.Equal(JsonAssert.Parse("""{"reason":"max_output_tokens"}"""), response["incomplete_details"]);
        Assert.Equal("Once upon", response["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ends_a_failed_stream_with_response_failed_and_nothing_after_it()
    {
        List<StreamEvent> events =
        [
            new ResponseStarted("chatcmpl-1", "gpt-4o"),
            new PartStarted(0, PartKind.Text),
            new TextDelta(0, "Hel"),
            new ResponseFailed(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream failed.") { Code = "upstream_error" }),
            new TextDelta(0, "lo"),
            new PartCompleted(0),
            new ResponseCompleted(FinishReason.Stop, Usage.Empty),
        ];

        var written = ResponsesEventStreams.Events(await ResponsesEventStreams.WriteAsync(events, Options));

        var response = ResponsesEventStreams.AssertGrammar(written);
        Assert.Equal(
            ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added", "response.output_text.delta", "response.failed"],
            ResponsesEventStreams.Types(written));
        Assert.Equal("failed", response["status"]!.GetValue<string>());
        JsonAssert.Equal(JsonAssert.Parse("""{"code":"upstream_error","message":"The upstream failed."}"""), response["error"]);
    }

    [Theory]
    [InlineData(GatewayErrorKind.RateLimited, "rate_limit_exceeded")]
    [InlineData(GatewayErrorKind.UpstreamTimeout, "upstream_timeout")]
    [InlineData(GatewayErrorKind.AllDeploymentsBusy, "overloaded")]
    public async Task Writes_the_failure_code_of_the_error_kind(GatewayErrorKind kind, string code)
    {
        List<StreamEvent> events = [new ResponseStarted("chatcmpl-1", "gpt-4o"), new ResponseFailed(new GatewayError(kind, "No."))];

        var written = ResponsesEventStreams.Events(await ResponsesEventStreams.WriteAsync(events, Options));

        Assert.Equal(["response.created", "response.in_progress", "response.failed"], ResponsesEventStreams.Types(written));
        Assert.Equal(code, written[^1]["response"]!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Streams_a_refusal_with_its_own_delta_and_done_events()
    {
        List<StreamEvent> events =
        [
            new ResponseStarted("chatcmpl-1", "gpt-4o"),
            new PartStarted(0, PartKind.Refusal),
            new RefusalDelta(0, "I can't"),
            new RefusalDelta(0, " help with that."),
            new PartCompleted(0),
            new ResponseCompleted(FinishReason.Stop, new Usage { InputTokens = 5, OutputTokens = 6 }),
        ];

        var written = ResponsesEventStreams.Events(await ResponsesEventStreams.WriteAsync(events, Options));

        var response = ResponsesEventStreams.AssertGrammar(written);
        Assert.Equal(
            ["response.refusal.delta", "response.refusal.delta", "response.refusal.done", "response.content_part.done"],
            ResponsesEventStreams.Types(written)[4..8]);
        JsonAssert.Equal(JsonAssert.Parse("""[{"type":"refusal","refusal":"I can't help with that."}]"""), response["output"]![0]!["content"]);
    }

    [Theory]
    [InlineData(PartKind.Text)]
    [InlineData(PartKind.ToolCall)]
    [InlineData(PartKind.Reasoning)]
    public async Task Closes_a_part_left_open_before_completing(PartKind kind)
    {
        List<StreamEvent> events =
        [
            new ResponseStarted("msg_1", "claude"),
            new PartStarted(0, PartKind.Text),
            new TextDelta(0, "Checking."),
            new PartCompleted(0),
            new PartStarted(1, kind) { ToolCallId = "toolu_1", ToolName = "f" },
            kind switch
            {
                PartKind.Text => new TextDelta(1, "More."),
                PartKind.ToolCall => new ToolArgumentsDelta(1, "{}"),
                _ => new ReasoningDelta(1, "Hmm."),
            },
            new ResponseCompleted(FinishReason.ToolCalls, new Usage { InputTokens = 1, OutputTokens = 1 }),
        ];

        var written = ResponsesEventStreams.Events(await ResponsesEventStreams.WriteAsync(events, Options));

        var response = ResponsesEventStreams.AssertGrammar(written);
        Assert.Equal(kind == PartKind.Text ? 1 : 2, response["output"]!.AsArray().Count);
        Assert.Equal(written.Count(e => ResponsesEventStreams.Type(e) == "response.output_item.added"), written.Count(e => ResponsesEventStreams.Type(e) == "response.output_item.done"));
    }

    [Fact]
    public async Task Writes_each_delta_before_the_next_one_arrives()
    {
        var channel = Channel.CreateUnbounded<StreamEvent>();
        var frames = OpenAIResponsesDialect.Instance.WriteStream(channel.Reader.ReadAllAsync(Token), Options, Token);
        await using var enumerator = frames.GetAsyncEnumerator(Token);
        channel.Writer.TryWrite(new ResponseStarted("chatcmpl-1", "gpt-4o"));
        channel.Writer.TryWrite(new PartStarted(0, PartKind.ToolCall) { ToolCallId = "call_a", ToolName = "get_weather" });
        channel.Writer.TryWrite(new ToolArgumentsDelta(0, "{\"lo"));

        var received = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            Assert.True(await enumerator.MoveNextAsync());
            received.Add(enumerator.Current.EventType!);
        }

        var pending = enumerator.MoveNextAsync();
        var waited = !pending.IsCompleted;
        channel.Writer.TryWrite(new ToolArgumentsDelta(0, "cation\": \"Paris\"}"));
        Assert.True(await pending);
        var next = EventStreams.Json(enumerator.Current);
        channel.Writer.Complete();

        Assert.Equal(["response.created", "response.in_progress", "response.output_item.added", "response.function_call_arguments.delta"], received);
        Assert.True(waited);
        Assert.Equal("cation\": \"Paris\"}", next["delta"]!.GetValue<string>());
    }

    [Fact]
    public async Task Writes_each_event_as_an_event_line_and_one_data_line()
    {
        var read = await EventStreams.ReadChatAsync(FixtureFiles.Bytes(OpenAIText));

        var wire = System.Text.Encoding.UTF8.GetString(EventStreams.Serialize(await ResponsesEventStreams.WriteAsync(read, Options)));

        var frames = wire.Split("\n\n")[..^1];
        Assert.All(frames, f => Assert.Matches("^event: response\\.[a-z_.]+\ndata: \\{[^\n]*\\}$", f));
        Assert.DoesNotContain("[DONE]", wire, StringComparison.Ordinal);
    }

    private static async Task<List<StreamEvent>> ReadAsync(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        return fixture.Split('/')[0] switch
        {
            "openai-chat" => await EventStreams.ReadChatAsync(body),
            "anthropic" => await MessagesEventStreams.ReadAsync(body),
            "gemini" => await GeminiEventStreams.ReadAsync(body),
            _ => await ResponsesEventStreams.ReadAsync(body),
        };
    }

    private static List<string> Texts(List<StreamEvent> events, PartKind kind) => events.OfType<PartStarted>()
        .Where(p => p.Kind == kind)
        .Select(p => string.Concat(events.Select(e => e switch
        {
            TextDelta t when t.Index == p.Index => t.Text,
            ReasoningDelta r when r.Index == p.Index => r.Text,
            _ => string.Empty,
        })))
        .ToList();

    private static string Arguments(List<StreamEvent> events, int index) =>
        string.Concat(events.OfType<ToolArgumentsDelta>().Where(d => d.Index == index).Select(d => d.Json));

    private static Func<JsonNode?, bool> IsType(string type) => item => item!["type"]!.GetValue<string>() == type;
}
