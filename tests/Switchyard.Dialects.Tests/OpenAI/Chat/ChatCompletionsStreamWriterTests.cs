using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Sse;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.OpenAI.Chat;

public sealed class ChatCompletionsStreamWriterTests
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(1754812401);
    private static readonly Usage SomeUsage = new() { InputTokens = 86, CacheReadTokens = 1920, OutputTokens = 12, ReasoningTokens = 3 };

    [Fact]
    public async Task Writes_chunks_with_the_clients_model_and_the_upstreams_id()
    {
        List<StreamEvent> events =
        [
            new ResponseStarted("chatcmpl-up", "gpt-4o-2024-08-06") { Created = Created },
            new PartStarted(0, PartKind.Text),
            new TextDelta(0, "Hello"),
            new TextDelta(0, " world"),
            new PartCompleted(0),
            new ResponseCompleted(FinishReason.Stop, SomeUsage),
        ];

        var frames = await EventStreams.WriteChatAsync(events, new StreamWriteOptions { Model = "fast" });

        Assert.True(frames[^1].IsDone);
        var chunks = frames[..^1].Select(EventStreams.Json).ToList();
        Assert.Equal(4, chunks.Count);
        Assert.All(chunks, chunk =>
        {
            Assert.Equal("chat.completion.chunk", chunk["object"]!.GetValue<string>());
            Assert.Equal("fast", chunk["model"]!.GetValue<string>());
            Assert.Equal("chatcmpl-up", chunk["id"]!.GetValue<string>());
            Assert.Equal(1754812401, chunk["created"]!.GetValue<long>());
        });
        JsonAssert.Equal(JsonAssert.Parse("""{"role":"assistant","content":""}"""), Delta(chunks[0]));
        JsonAssert.Equal(JsonAssert.Parse("""{"content":"Hello"}"""), Delta(chunks[1]));
        JsonAssert.Equal(JsonAssert.Parse("""{"content":" world"}"""), Delta(chunks[2]));
        Assert.All(chunks[..^1], chunk => Assert.Null(chunk["choices"]![0]!["finish_reason"]));
        Assert.All(chunks[..^1], chunk => Assert.Null(chunk["usage"]));
    }

    [Fact]
    public async Task Puts_usage_on_the_finish_chunk_when_the_client_did_not_ask_for_a_usage_chunk()
    {
        List<StreamEvent> events =
        [
            new ResponseStarted("chatcmpl-up", "gpt-4o") { Created = Created },
            new PartStarted(0, PartKind.Text),
            new TextDelta(0, "Hi"),
            new PartCompleted(0),
            new UsageUpdated(SomeUsage),
            new ResponseCompleted(FinishReason.Length, SomeUsage),
        ];

        var frames = await EventStreams.WriteChatAsync(events, new StreamWriteOptions { Model = "fast", IncludeUsageChunk = false });

        Assert.Equal(4, frames.Count);
        Assert.True(frames[3].IsDone);
        var finish = EventStreams.Json(frames[2]);
        var choice = Assert.Single(finish["choices"]!.AsArray())!;
        Assert.Equal("length", choice["finish_reason"]!.GetValue<string>());
        JsonAssert.Equal(new JsonObject(), choice["delta"]);
        JsonAssert.Equal(ExpectedUsage, finish["usage"]);
    }

    [Fact]
    public async Task Writes_a_separate_usage_chunk_when_the_client_asked_for_one()
    {
        List<StreamEvent> events =
        [
            new ResponseStarted("chatcmpl-up", "gpt-4o") { Created = Created },
            new PartStarted(0, PartKind.Text),
            new TextDelta(0, "Hi"),
            new PartCompleted(0),
            new ResponseCompleted(FinishReason.Stop, SomeUsage),
        ];

        var frames = await EventStreams.WriteChatAsync(events, new StreamWriteOptions { Model = "fast", IncludeUsageChunk = true });

        Assert.Equal(5, frames.Count);
        var finish = EventStreams.Json(frames[2]);
        Assert.Equal("stop", finish["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Null(finish["usage"]);
        var usageChunk = EventStreams.Json(frames[3]);
        Assert.Equal("chat.completion.chunk", usageChunk["object"]!.GetValue<string>());
        Assert.Equal("fast", usageChunk["model"]!.GetValue<string>());
        Assert.Empty(usageChunk["choices"]!.AsArray());
        JsonAssert.Equal(ExpectedUsage, usageChunk["usage"]);
        Assert.True(frames[4].IsDone);
    }

    [Fact]
    public async Task Writes_tool_call_headers_then_argument_fragments()
    {
        List<StreamEvent> events =
        [
            new ResponseStarted("chatcmpl-up", "gpt-4o") { Created = Created },
            new PartStarted(0, PartKind.ToolCall) { ToolCallId = "call_a", ToolName = "get_weather" },
            new ToolArgumentsDelta(0, "{\"lo"),
            new ToolArgumentsDelta(0, "cation\": \"Paris\"}"),
            new PartCompleted(0),
            new PartStarted(1, PartKind.ToolCall) { ToolCallId = "call_b", ToolName = "get_time" },
            new ToolArgumentsDelta(1, "{}"),
            new PartCompleted(1),
            new ResponseCompleted(FinishReason.ToolCalls, SomeUsage),
        ];

        var frames = await EventStreams.WriteChatAsync(events, new StreamWriteOptions { Model = "fast" });

        var deltas = frames.Where(f => !f.IsDone).Select(EventStreams.Json).Select(Delta).ToList();
        JsonAssert.Equal(JsonAssert.Parse("""{"role":"assistant","content":""}"""), deltas[0]);
        JsonAssert.Equal(ToolCall("""{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}"""), deltas[1]);
        JsonAssert.Equal(ToolCall("""{"index":0,"function":{"arguments":"{\"lo"}}"""), deltas[2]);
        JsonAssert.Equal(ToolCall("""{"index":0,"function":{"arguments":"cation\": \"Paris\"}"}}"""), deltas[3]);
        JsonAssert.Equal(ToolCall("""{"index":1,"id":"call_b","type":"function","function":{"name":"get_time","arguments":""}}"""), deltas[4]);
        JsonAssert.Equal(ToolCall("""{"index":1,"function":{"arguments":"{}"}}"""), deltas[5]);
        Assert.Equal(7, deltas.Count);
        Assert.Equal("tool_calls", EventStreams.Json(frames[^2])["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.True(frames[^1].IsDone);
    }

    [Fact]
    public async Task Numbers_tool_calls_from_zero_whatever_their_part_index()
    {
        List<StreamEvent> events =
        [
            new ResponseStarted("chatcmpl-up", "claude") { Created = Created },
            new PartStarted(0, PartKind.Reasoning),
            new ReasoningDelta(0, "Let me look."),
            new PartCompleted(0),
            new PartStarted(1, PartKind.Text),
            new TextDelta(1, "Checking."),
            new PartCompleted(1),
            new PartStarted(2, PartKind.ToolCall) { ToolCallId = "toolu_1", ToolName = "lookup" },
            new ToolArgumentsDelta(2, "{\"q\":1}"),
            new PartCompleted(2),
            new ResponseCompleted(FinishReason.ToolCalls, SomeUsage),
        ];

        var frames = await EventStreams.WriteChatAsync(events, new StreamWriteOptions { Model = "fast" });

        var deltas = frames.Where(f => !f.IsDone).Select(EventStreams.Json).Select(Delta).ToList();
        JsonAssert.Equal(JsonAssert.Parse("""{"reasoning_content":"Let me look."}"""), deltas[1]);
        JsonAssert.Equal(JsonAssert.Parse("""{"content":"Checking."}"""), deltas[2]);
        JsonAssert.Equal(ToolCall("""{"index":0,"id":"toolu_1","type":"function","function":{"name":"lookup","arguments":""}}"""), deltas[3]);
        JsonAssert.Equal(ToolCall("""{"index":0,"function":{"arguments":"{\"q\":1}"}}"""), deltas[4]);
    }

    [Fact]
    public async Task Ends_a_failed_stream_with_an_error_frame_and_no_done()
    {
        List<StreamEvent> events =
        [
            new ResponseStarted("chatcmpl-up", "gpt-4o") { Created = Created },
            new PartStarted(0, PartKind.Text),
            new TextDelta(0, "Hel"),
            new ResponseFailed(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream failed.")),
            new TextDelta(0, "lo"),
            new ResponseCompleted(FinishReason.Stop, SomeUsage),
        ];

        var frames = await EventStreams.WriteChatAsync(events, new StreamWriteOptions { Model = "fast" });

        Assert.Equal(3, frames.Count);
        Assert.DoesNotContain(frames, f => f.IsDone);
        JsonAssert.Equal(
            JsonAssert.Parse("""{"error":{"message":"The upstream failed.","type":"server_error","param":null,"code":"upstream_error"}}"""),
            EventStreams.Json(frames[^1]));
    }

    [Fact]
    public async Task Writes_frames_in_the_sse_line_format()
    {
        List<StreamEvent> events =
        [
            new ResponseStarted("chatcmpl-up", "gpt-4o") { Created = Created },
            new PartStarted(0, PartKind.Text),
            new TextDelta(0, "line one\nline two"),
            new PartCompleted(0),
            new ResponseCompleted(FinishReason.Stop, SomeUsage),
        ];

        var wire = Encoding.UTF8.GetString(EventStreams.Serialize(await EventStreams.WriteChatAsync(events, new StreamWriteOptions { Model = "fast" })));

        var frames = wire.Split("\n\n");
        Assert.Equal(5, frames.Length);
        Assert.Equal(string.Empty, frames[^1]);
        Assert.All(frames[..^1], f => Assert.StartsWith("data: ", f, StringComparison.Ordinal));
        Assert.All(frames[..^1], f => Assert.DoesNotContain('\n', f));
        Assert.Equal("data: [DONE]", frames[^2]);
    }

    [Fact]
    public async Task Round_trips_parallel_tool_calls_from_reader_to_writer_and_back()
    {
        var body = FixtureFiles.Bytes("openai-chat/parallel-tool-calls.stream.sse");
        var read = await EventStreams.ReadChatAsync(body);

        var frames = await EventStreams.WriteChatAsync(read, new StreamWriteOptions { Model = "fast", IncludeUsageChunk = true });
        var reread = await EventStreams.ReadChatAsync(EventStreams.Serialize(frames));

        var started = Assert.IsType<ResponseStarted>(read[0]);
        Assert.Equal([started with { Model = "fast" }, .. read[1..]], reread);
        Assert.Equal(ArgumentFragments(await EventStreams.FramesAsync(body)), ArgumentFragments(frames));
        Assert.Empty(EventStreams.Json(frames[^2])["choices"]!.AsArray());
        Assert.True(frames[^1].IsDone);
    }

    private static JsonNode ExpectedUsage => JsonAssert.Parse("""
        {
          "prompt_tokens": 2006, "completion_tokens": 15, "total_tokens": 2021,
          "prompt_tokens_details": { "cached_tokens": 1920 },
          "completion_tokens_details": { "reasoning_tokens": 3 }
        }
        """);

    private static JsonNode Delta(JsonNode chunk) => Assert.Single(chunk["choices"]!.AsArray())!["delta"]!;

    private static JsonObject ToolCall(string call) => new JsonObject { ["tool_calls"] = new JsonArray(JsonAssert.Parse(call)) };

    /// <summary>Every non-empty <c>tool_calls[].function.arguments</c> in order, with its tool call index.</summary>
    private static List<(int Index, string Arguments)> ArgumentFragments(IEnumerable<SseFrame> frames) =>
        frames.Where(f => !f.IsDone)
            .SelectMany(f => EventStreams.Json(f)["choices"]!.AsArray())
            .SelectMany(c => c!["delta"]!["tool_calls"]?.AsArray() ?? [])
            .Select(call => (call!["index"]!.GetValue<int>(), call["function"]!["arguments"]!.GetValue<string>()))
            .Where(f => f.Item2.Length > 0)
            .ToList();
}
