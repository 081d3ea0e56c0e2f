using System.Text.Json.Nodes;
using System.Threading.Channels;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Gemini;

/// <summary>Neutral events, as the OpenAI, Anthropic and Gemini readers produce them, written as Gemini <c>GenerateContentResponse</c> chunks.</summary>
public sealed class GenerateContentStreamWriterTests
{
    private const string OpenAIText = "openai-chat/text.stream.sse";
    private const string OpenAIToolCalls = "openai-chat/parallel-tool-calls.stream.sse";
    private const string AnthropicThinking = "anthropic/thinking-tool-use.stream.sse";
    private const string GeminiToolCalls = "gemini/thinking-tool-calls.stream.sse";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Writes_each_openai_text_delta_as_a_chunk_then_a_final_chunk_with_finish_reason_and_usage()
    {
        var read = await EventStreams.ReadChatAsync(FixtureFiles.Bytes(OpenAIText));

        var chunks = GeminiEventStreams.Chunks(await GeminiEventStreams.WriteAsync(read));

        Assert.Equal(8, chunks.Count);
        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"candidates":[{"content":{"role":"model","parts":[{"text":"Bonjour"}]},"index":0}],
                 "modelVersion":"fast","responseId":"chatcmpl-C3kV2mYgq8B0pXn1sTzR7eLw9aJdF"}
                """),
            chunks[0]);
        Assert.Equal(
            "Bonjour ! Ça va 👋\n\nComment puis-je aider ?",
            string.Concat(chunks[..7].Select(c => GeminiEventStreams.Parts(c).Single()!["text"]!.GetValue<string>())));
        Assert.All(chunks[..7], c => Assert.Null(c["candidates"]![0]!["finishReason"]));
        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"candidates":[{"content":{"role":"model","parts":[{"text":""}]},"finishReason":"STOP","index":0}],
                 "usageMetadata":{"promptTokenCount":2006,"candidatesTokenCount":12,"totalTokenCount":2018,"cachedContentTokenCount":1920},
                 "modelVersion":"fast","responseId":"chatcmpl-C3kV2mYgq8B0pXn1sTzR7eLw9aJdF"}
                """),
            chunks[^1]);
    }

    [Fact]
    public async Task Sends_each_function_call_whole_with_its_arguments_joined_when_its_part_completes()
    {
        var read = await EventStreams.ReadChatAsync(FixtureFiles.Bytes(OpenAIToolCalls));
        var arguments = read.OfType<ToolArgumentsDelta>()
            .GroupBy(d => d.Index)
            .Select(g => JsonAssert.Parse(string.Concat(g.Select(d => d.Json))))
            .ToList();

        var chunks = GeminiEventStreams.Chunks(await GeminiEventStreams.WriteAsync(read));

        var calls = chunks.SelectMany(GeminiEventStreams.Parts).Where(p => p!["functionCall"] is not null).Select(p => p!["functionCall"]!).ToList();
        Assert.Equal(2, calls.Count);
        JsonAssert.Equal(
            new JsonObject { ["id"] = "call_8VcQmL3pN2xR7tY1wZ4aB6dE", ["name"] = "get_weather", ["args"] = arguments[0].DeepClone() },
            calls[0]);
        JsonAssert.Equal(
            new JsonObject { ["id"] = "call_2HsK9fJ5gT0uP8oI3yU7rE1w", ["name"] = "get_weather", ["args"] = arguments[1].DeepClone() },
            calls[1]);
        Assert.Equal("STOP", chunks[^1]["candidates"]![0]!["finishReason"]!.GetValue<string>());
        Assert.NotNull(chunks[^1]["usageMetadata"]);
    }

    [Fact]
    public async Task Writes_a_call_only_once_its_arguments_are_complete()
    {
        var channel = Channel.CreateUnbounded<StreamEvent>();
        var frames = GeminiGenerateDialect.Instance.WriteStream(channel.Reader.ReadAllAsync(Token), new StreamWriteOptions { Model = "fast" }, Token);
        await using var enumerator = frames.GetAsyncEnumerator(Token);
        channel.Writer.TryWrite(new ResponseStarted("chatcmpl-1", "gpt-4o"));
        channel.Writer.TryWrite(new PartStarted(0, PartKind.Text));
        channel.Writer.TryWrite(new TextDelta(0, "Checking."));
        channel.Writer.TryWrite(new PartCompleted(0));
        channel.Writer.TryWrite(new PartStarted(1, PartKind.ToolCall) { ToolCallId = "call_a", ToolName = "get_weather" });
        channel.Writer.TryWrite(new ToolArgumentsDelta(1, "{\"lo"));

        // The text goes out at once; the call waits for the rest of its arguments.
        Assert.True(await enumerator.MoveNextAsync());
        var text = EventStreams.Json(enumerator.Current);
        var pending = enumerator.MoveNextAsync();
        var waited = !pending.IsCompleted;
        channel.Writer.TryWrite(new ToolArgumentsDelta(1, "cation\": \"Paris\"}"));
        channel.Writer.TryWrite(new PartCompleted(1));
        Assert.True(await pending);
        var call = EventStreams.Json(enumerator.Current);
        channel.Writer.Complete();

        Assert.Equal("Checking.", GeminiEventStreams.Parts(text)[0]!["text"]!.GetValue<string>());
        Assert.True(waited);
        JsonAssert.Equal(
            JsonAssert.Parse("""[{"functionCall":{"id":"call_a","name":"get_weather","args":{"location":"Paris"}}}]"""),
            GeminiEventStreams.Parts(call));
    }

    [Fact]
    public async Task Writes_anthropic_thinking_as_thought_chunks_and_its_signature_opaque_on_the_next_part()
    {
        var read = await MessagesEventStreams.ReadAsync(FixtureFiles.Bytes(AnthropicThinking));
        var anthropicSignature = read.OfType<ReasoningDelta>().Single(d => d.Signature is not null).Signature;

        var chunks = GeminiEventStreams.Chunks(await GeminiEventStreams.WriteAsync(read));

        var parts = chunks.Select(c => Assert.Single(GeminiEventStreams.Parts(c))!).ToList();
        Assert.Equal(7, parts.Count);
        JsonAssert.Equal(JsonAssert.Parse("""{"text":"The user is asking for","thought":true}"""), parts[0]);
        Assert.All(parts[..3], p => Assert.True(p["thought"]!.GetValue<bool>()));
        var signature = parts[3]["thoughtSignature"]!.GetValue<string>();
        Assert.True(ReasoningSignature.TryUnwrap(signature, out var source, out var original));
        Assert.Equal(ReasoningSignature.BareSource, source);
        Assert.Equal(anthropicSignature, original);
        Assert.Equal("Let me check the weather", parts[3]["text"]!.GetValue<string>());
        JsonAssert.Equal(JsonAssert.Parse("""{"text":" in Florence."}"""), parts[4]);
        JsonAssert.Equal(
            JsonAssert.Parse("""{"functionCall":{"id":"toolu_01NRLabsLyVHZPKxbKvkfSMn","name":"weather","args":{"location":"Florence, Italy","unit":"celsius"}}}"""),
            parts[5]);
        JsonAssert.Equal(
            JsonAssert.Parse("""{"promptTokenCount":3495,"candidatesTokenCount":151,"totalTokenCount":3646,"cachedContentTokenCount":3072}"""),
            chunks[^1]["usageMetadata"]);
    }

    [Fact]
    public async Task Round_trips_a_gemini_stream_from_reader_to_writer_and_back()
    {
        var read = await GeminiEventStreams.ReadAsync(FixtureFiles.Bytes(GeminiToolCalls));

        var frames = await GeminiEventStreams.WriteAsync(read);
        var reread = await GeminiEventStreams.ReadAsync(EventStreams.Serialize(frames));

        // The writer reports usage once, on the final chunk, and writes arguments without Google's spacing.
        var started = Assert.IsType<ResponseStarted>(read[0]);
        Assert.Equal(
            [started with { Model = "fast" }, .. read[1..].Where(e => e is not UsageUpdated).Select(Compact)],
            reread.Where(e => e is not UsageUpdated).Select(Compact));
        Assert.Equal(read.OfType<UsageUpdated>().Last(), Assert.Single(reread.OfType<UsageUpdated>()));
    }

    [Fact]
    public async Task Returns_a_gemini_signature_unwrapped_on_the_call_it_came_with()
    {
        var body = FixtureFiles.Bytes(GeminiToolCalls);
        var upstream = GeminiEventStreams.Chunks(await EventStreams.FramesAsync(body));
        var read = await GeminiEventStreams.ReadAsync(body);

        var chunks = GeminiEventStreams.Chunks(await GeminiEventStreams.WriteAsync(read));

        var signed = chunks.SelectMany(GeminiEventStreams.Parts).Where(p => p!["thoughtSignature"] is not null).ToList();
        var part = Assert.Single(signed)!;
        Assert.Equal(upstream[3]["candidates"]![0]!["content"]!["parts"]![0]!["thoughtSignature"]!.GetValue<string>(), part["thoughtSignature"]!.GetValue<string>());
        Assert.Equal("Paris, France", part["functionCall"]!["args"]!["location"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reports_the_clients_model_in_every_chunk()
    {
        var read = await GeminiEventStreams.ReadAsync(FixtureFiles.Bytes("gemini/text.stream.sse"));

        var chunks = GeminiEventStreams.Chunks(await GeminiEventStreams.WriteAsync(read, model: "house-model"));

        Assert.All(chunks, c => Assert.Equal("house-model", c["modelVersion"]!.GetValue<string>()));
        Assert.All(chunks, c => Assert.Equal("kP3OaNfLJ4ak1dkPyqL-oQk", c["responseId"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData(FinishReason.Length, "MAX_TOKENS")]
    [InlineData(FinishReason.ContentFilter, "SAFETY")]
    [InlineData(FinishReason.ToolCalls, "STOP")]
    [InlineData(FinishReason.Stop, "STOP")]
    public async Task Maps_the_finish_reason_on_the_final_chunk(FinishReason finishReason, string expected)
    {
        List<StreamEvent> events =
        [
            new ResponseStarted("msg_1", "claude"),
            new PartStarted(0, PartKind.Text),
            new TextDelta(0, "Hi"),
            new PartCompleted(0),
            new ResponseCompleted(finishReason, new Usage { InputTokens = 3, OutputTokens = 1, Cost = 0.002m }),
        ];

        var chunks = GeminiEventStreams.Chunks(await GeminiEventStreams.WriteAsync(events));

        Assert.Equal(2, chunks.Count);
        Assert.Equal(expected, chunks[^1]["candidates"]![0]!["finishReason"]!.GetValue<string>());
        JsonAssert.Equal(
            JsonAssert.Parse("""{"promptTokenCount":3,"candidatesTokenCount":1,"totalTokenCount":4,"cost":0.002}"""),
            chunks[^1]["usageMetadata"]);
    }

    [Fact]
    public async Task Ends_a_failed_stream_with_an_error_chunk_and_nothing_after_it()
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

        var chunks = GeminiEventStreams.Chunks(await GeminiEventStreams.WriteAsync(events));

        Assert.Equal(2, chunks.Count);
        JsonAssert.Equal(
            JsonAssert.Parse("""{"error":{"code":502,"message":"The upstream failed.","status":"UNAVAILABLE"}}"""),
            chunks[^1]);
    }

    [Theory]
    [InlineData(GatewayErrorKind.RateLimited, 429, "RESOURCE_EXHAUSTED")]
    [InlineData(GatewayErrorKind.UpstreamTimeout, 504, "DEADLINE_EXCEEDED")]
    [InlineData(GatewayErrorKind.AllDeploymentsBusy, 503, "UNAVAILABLE")]
    public async Task Writes_the_error_chunk_with_googles_code_and_status(GatewayErrorKind kind, int code, string status)
    {
        List<StreamEvent> events = [new ResponseStarted("chatcmpl-1", "gpt-4o"), new ResponseFailed(new GatewayError(kind, "No."))];

        var chunks = GeminiEventStreams.Chunks(await GeminiEventStreams.WriteAsync(events));

        JsonAssert.Equal(new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = "No.", ["status"] = status } }, Assert.Single(chunks));
    }

    [Fact]
    public async Task Writes_each_chunk_as_one_data_line_without_an_event_name()
    {
        var read = await EventStreams.ReadChatAsync(FixtureFiles.Bytes(OpenAIText));

        var wire = System.Text.Encoding.UTF8.GetString(EventStreams.Serialize(await GeminiEventStreams.WriteAsync(read)));

        var frames = wire.Split("\n\n")[..^1];
        Assert.Equal(8, frames.Length);
        Assert.All(frames, f => Assert.StartsWith("data: {", f, StringComparison.Ordinal));
        Assert.All(frames, f => Assert.DoesNotContain('\n', f));
        Assert.DoesNotContain("[DONE]", wire, StringComparison.Ordinal);
    }

    private static StreamEvent Compact(StreamEvent e) =>
        e is ToolArgumentsDelta arguments ? arguments with { Json = JsonAssert.Parse(arguments.Json).ToJsonString() } : e;
}
