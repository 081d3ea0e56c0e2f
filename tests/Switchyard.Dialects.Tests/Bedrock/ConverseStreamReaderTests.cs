using System.Buffers;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Framing;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Bedrock;

public sealed class ConverseStreamReaderTests
{
    private const string Fixture = "bedrock/thinking-tool-use.stream.json";
    private const string Signature = "EqQBCkgIBxABGAIiQL3nVw0pDcC2Vq1sC+w/y4iCZ3Dd8oJxB3aXq5f8VxKp0zT9J2bG+eR1Y6hQnN7uWm4cLs0aPdF2iXo8EgwN1fQ2rZlH7kU9yWQaDNh1pJ3kQ4mV8tZ6+A==";

    private static readonly Usage FixtureUsage = new() { InputTokens = 412, OutputTokens = 96, CacheReadTokens = 2048, CacheWriteTokens = 24 };

    [Fact]
    public async Task Streams_signed_reasoning_then_text_then_tool_arguments_with_usage_from_metadata()
    {
        var body = ConverseEventStreams.Encode(Fixture);

        var events = await ConverseEventStreams.ReadAsync(body);

        Assert.Equal(
            [
                new ResponseStarted(string.Empty, string.Empty) { Created = DateTimeOffset.UnixEpoch },
                new PartStarted(0, PartKind.Reasoning),
                new ReasoningDelta(0, "The user wants"),
                new ReasoningDelta(0, " the weather in Madison."),
                new ReasoningDelta(0, string.Empty) { Signature = ReasoningSignature.Wrap("bedrock", Signature) },
                new PartCompleted(0),
                new PartStarted(1, PartKind.Text),
                new TextDelta(1, "Let me check "),
                new TextDelta(1, "the weather — ☀️."),
                new PartCompleted(1),
                new PartStarted(2, PartKind.ToolCall) { ToolCallId = "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", ToolName = "get_weather" },
                new ToolArgumentsDelta(2, "{\"location\": \"Madi"),
                new ToolArgumentsDelta(2, "son, WI\"}"),
                new PartCompleted(2),
                new UsageUpdated(FixtureUsage),
                new ResponseCompleted(FinishReason.ToolCalls, FixtureUsage),
            ],
            events);
    }

    [Fact]
    public async Task Reads_the_same_events_wherever_the_upstream_split_the_bytes()
    {
        var body = ConverseEventStreams.Encode(Fixture);
        var expected = await ConverseEventStreams.ReadAsync(body);

        for (var i = 0; i <= body.Length; i++)
        {
            var actual = await ConverseEventStreams.ReadAsync(SegmentedStream.SplitAt(body, i));

            Assert.True(expected.SequenceEqual(actual), $"split at byte {i} changed the events");
        }

        Assert.Equal(expected, await ConverseEventStreams.ReadAsync(SegmentedStream.OneBytePerRead(body)));
    }

    [Fact]
    public async Task Fails_the_stream_on_an_exception_frame_with_the_error_it_names()
    {
        var events = new ArrayBufferWriter<byte>();
        events.Write(ConverseEventStreams.Encode([("messageStart", """{"role":"assistant"}"""), ("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Once"}}""")]));
        AwsEventStreamWriter.WriteException(events, "throttlingException", "Too many tokens, please wait before trying again.");

        var read = await ConverseEventStreams.ReadAsync(events.WrittenSpan.ToArray());

        var failed = Assert.IsType<ResponseFailed>(read[^1]);
        Assert.Equal(GatewayErrorKind.RateLimited, failed.Error.Kind);
        Assert.True(failed.Error.AllowsFailover);
        Assert.Equal("Too many tokens, please wait before trying again.", failed.Error.Message);
        Assert.Equal(new TextDelta(0, "Once"), read[^2]);
    }

    [Fact]
    public async Task Completes_at_the_end_of_a_stream_that_stopped_without_metadata()
    {
        var body = ConverseEventStreams.Encode(
        [
            ("messageStart", """{"role":"assistant"}"""),
            ("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hi"}}"""),
            ("messageStop", """{"stopReason":"max_tokens"}"""),
        ]);

        var events = await ConverseEventStreams.ReadAsync(body);

        Assert.Equal(
            [
                new ResponseStarted(string.Empty, string.Empty) { Created = DateTimeOffset.UnixEpoch },
                new PartStarted(0, PartKind.Text),
                new TextDelta(0, "Hi"),
                new PartCompleted(0),
                new ResponseCompleted(FinishReason.Length, Usage.Empty),
            ],
            events);
    }

    [Fact]
    public async Task Fails_a_stream_that_ends_before_the_message_stopped()
    {
        var body = ConverseEventStreams.Encode([("messageStart", """{"role":"assistant"}"""), ("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hi"}}""")]);

        var events = await ConverseEventStreams.ReadAsync(body);

        var failed = Assert.IsType<ResponseFailed>(events[^1]);
        Assert.Equal(GatewayErrorKind.UpstreamFailed, failed.Error.Kind);
        Assert.Contains("before it finished", failed.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fails_on_a_malformed_event()
    {
        var body = ConverseEventStreams.Encode([("messageStart", """{"role":"assistant"}"""), ("contentBlockDelta", """{"contentBlockIndex":"zero""")]);

        var events = await ConverseEventStreams.ReadAsync(body);

        var failed = Assert.IsType<ResponseFailed>(events[^1]);
        Assert.Contains("malformed", failed.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streams_the_forced_json_tool_as_text_that_ends_normally()
    {
        var body = ConverseEventStreams.Encode(
        [
            ("messageStart", """{"role":"assistant"}"""),
            ("contentBlockStart", """{"contentBlockIndex":0,"start":{"toolUse":{"toolUseId":"t1","name":"switchyard_json_output"}}}"""),
            ("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"toolUse":{"input":"{\"temp\":"}}}"""),
            ("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"toolUse":{"input":"21}"}}}"""),
            ("contentBlockStop", """{"contentBlockIndex":0}"""),
            ("messageStop", """{"stopReason":"tool_use"}"""),
            ("metadata", """{"usage":{"inputTokens":5,"outputTokens":7,"totalTokens":12}}"""),
        ]);

        var events = await ConverseEventStreams.ReadAsync(body);

        var usage = new Usage { InputTokens = 5, OutputTokens = 7 };
        Assert.Equal(
            [
                new ResponseStarted(string.Empty, string.Empty) { Created = DateTimeOffset.UnixEpoch },
                new PartStarted(0, PartKind.Text),
                new TextDelta(0, "{\"temp\":"),
                new TextDelta(0, "21}"),
                new PartCompleted(0),
                new UsageUpdated(usage),
                new ResponseCompleted(FinishReason.Stop, usage),
            ],
            events);
    }

    [Fact]
    public async Task Gives_an_anthropic_client_the_bedrock_signature_wrapped_so_it_returns_to_bedrock_only()
    {
        var body = ConverseEventStreams.Encode(Fixture);
        var events = await ConverseEventStreams.ReadAsync(body);

        var frames = await MessagesEventStreams.WriteAsync(events, "claude");

        var json = MessagesEventStreams.Events(frames);
        MessagesEventStreams.AssertGrammar(json);
        var signature = json.Single(e => e["delta"]?["type"]?.GetValue<string>() == "signature_delta")["delta"]!["signature"]!.GetValue<string>();
        Assert.True(ReasoningSignature.TryUnwrap(signature, out var source, out var original));
        Assert.Equal(("bedrock", Signature), (source, original));
    }
}
