using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.OpenAI.Responses;
using Switchyard.Dialects.Sse;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.OpenAI.Responses;

/// <summary>Responses streams relayed to Responses clients (passthrough) through <see cref="SseRelay"/>.</summary>
public sealed class ResponsesUsageTapTests
{
    private const string TextFixture = "openai-responses/text.stream.sse";
    private const string FunctionCallFixture = "openai-responses/function-call.stream.sse";
    private const string ReasoningFixture = "openai-responses/reasoning.stream.sse";
    private const string IncompleteFixture = "openai-responses/incomplete.stream.sse";
    private const string FailedFixture = "openai-responses/failed.stream.sse";
    private const string ErrorFixture = "openai-responses/error.stream.sse";

    public static TheoryData<string> Fixtures => new() { TextFixture, FunctionCallFixture, ReasoningFixture, IncompleteFixture, FailedFixture, ErrorFixture };

    [Theory]
    [InlineData(TextFixture)]
    [InlineData(FunctionCallFixture)]
    [InlineData(ReasoningFixture)]
    [InlineData(IncompleteFixture)]
    public async Task Relays_every_frame_byte_for_byte_but_the_model_and_the_cost(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        var upstream = RawFrames(body);
        using var tap = new ResponsesUsageTap("fast", price: _ => 0.0125m);

        var relayed = RawFrames(await RelayAsync(body, tap));

        Assert.Equal(upstream.Count, relayed.Count);
        for (var i = 0; i < upstream.Count; i++)
        {
            var expected = Data(upstream[i]);
            var type = expected["type"]!.GetValue<string>();
            if (expected["response"] is { } response)
            {
                response["model"] = "fast";
                if (type is "response.completed" or "response.incomplete")
                {
                    response["usage"]!["cost"] = JsonNode.Parse("0.0125");
                }

                AssertEvent(type, expected, relayed[i]);
            }
            else
            {
                Assert.Equal(upstream[i], relayed[i]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Relays_the_same_bytes_wherever_the_upstream_split_them(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        using var whole = new ResponsesUsageTap("fast", price: _ => 0.5m);
        var expected = await RelayAsync(body, whole);

        for (var i = 0; i <= body.Length; i++)
        {
            using var tap = new ResponsesUsageTap("fast", price: _ => 0.5m);

            var actual = await RelayAsync(SegmentedStream.SplitAt(body, i), tap);

            Assert.True(expected.AsSpan().SequenceEqual(actual), $"split at byte {i} changed the relayed bytes");
            Assert.Equal(whole.Usage, tap.Usage);
            Assert.Equal(whole.Completed, tap.Completed);
            Assert.Equal(whole.Error, tap.Error);
            Assert.Equal(whole.ResponseId, tap.ResponseId);
            Assert.Equal(whole.FinalResponse, tap.FinalResponse);
        }

        using var oneByOne = new ResponsesUsageTap("fast", price: _ => 0.5m);
        Assert.Equal(expected, await RelayAsync(SegmentedStream.OneBytePerRead(body), oneByOne));
        Assert.NotNull(whole.ResponseId);
    }

    [Fact]
    public async Task Reads_usage_from_the_completed_response_and_prices_it()
    {
        var body = FixtureFiles.Bytes(ReasoningFixture);
        var priced = new List<Usage>();
        using var tap = new ResponsesUsageTap("fast", price: usage =>
        {
            priced.Add(usage);
            return 0.0125m;
        });

        await RelayAsync(body, tap);

        var usage = new Usage { InputTokens = 176, CacheReadTokens = 1024, OutputTokens = 36, ReasoningTokens = 384 };
        Assert.Equal([usage], priced);
        Assert.Equal(usage with { Cost = 0.0125m }, tap.Usage);
        Assert.True(tap.Completed);
        Assert.Null(tap.Error);
    }

    [Theory]
    [InlineData(TextFixture, "resp_68a5c3e9f0d881a0b7c4d2e1f3a5b6c70e9d8c7b6a5f4e3d")]
    [InlineData(IncompleteFixture, "resp_68a5c6a0b1c281a0d4e3f2a1b0c9d8e70e9d8c7b6a5f4e3d")]
    public async Task Completes_after_the_terminal_response_and_captures_it_as_relayed(string fixture, string id)
    {
        var body = FixtureFiles.Bytes(fixture);
        using var tap = new ResponsesUsageTap("fast", price: _ => 0.25m);

        var relayed = RawFrames(await RelayAsync(body, tap));

        Assert.True(tap.Completed);
        Assert.Null(tap.Error);
        Assert.Equal(id, tap.ResponseId);
        JsonAssert.Equal(Data(relayed[^1])["response"], JsonAssert.Parse(tap.FinalResponse));
        Assert.Equal("fast", JsonAssert.Parse(tap.FinalResponse)["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task Copies_the_stream_byte_for_byte_between_the_response_events()
    {
        var body = FixtureFiles.Bytes(FunctionCallFixture);
        using var tap = new ResponsesUsageTap("gpt-4.1-2025-04-14", price: null);

        var relayed = RawFrames(await RelayAsync(body, tap));

        var upstream = RawFrames(body);
        Assert.Equal(upstream[2..^1], relayed[2..^1]);
        Assert.Equal(new Usage { InputTokens = 84, OutputTokens = 19 }, tap.Usage);
        Assert.Null(JsonAssert.Parse(tap.FinalResponse)["usage"]!["cost"]);
    }

    [Fact]
    public async Task Is_not_completed_when_the_stream_ends_before_the_terminal_response()
    {
        var frames = RawFrames(FixtureFiles.Bytes(TextFixture));
        var body = frames[..^1].SelectMany(f => f).ToArray();
        using var tap = new ResponsesUsageTap("fast", price: null);

        var relayed = await RelayAsync(body, tap);

        Assert.False(tap.Completed);
        Assert.Null(tap.Error);
        Assert.Null(tap.Usage);
        Assert.Null(tap.FinalResponse);
        Assert.Equal(frames.Count - 1, RawFrames(relayed).Count);
    }

    [Fact]
    public async Task Holds_back_an_error_event_reports_it_and_relays_nothing_after_it()
    {
        var body = FixtureFiles.Bytes(ErrorFixture);
        var frames = RawFrames(body);
        using var tap = new ResponsesUsageTap("fast", price: null);

        var relayed = await RelayAsync([.. body, .. FixtureFiles.Bytes(TextFixture)], tap);

        Assert.Equal(2, RawFrames(relayed).Count);
        Assert.Equal(ResponseEventsReported(frames[..2]), ResponseEventsReported(RawFrames(relayed)));
        Assert.Equal(GatewayErrorKind.RateLimited, tap.Error!.Kind);
        Assert.Equal(429, tap.Error.UpstreamStatus);
        Assert.True(tap.Error.AllowsFailover);
        Assert.StartsWith("Rate limit reached for gpt-4.1", tap.Error.Message, StringComparison.Ordinal);
        Assert.False(tap.Completed);
    }

    [Fact]
    public async Task Holds_back_response_failed_so_the_gateways_own_failure_is_the_only_one()
    {
        var body = FixtureFiles.Bytes(FailedFixture);
        var frames = RawFrames(body);
        using var tap = new ResponsesUsageTap("fast", price: null);

        var relayed = RawFrames(await RelayAsync([.. body, .. Encoding.UTF8.GetBytes("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":6,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\" a time\"}\n\n")], tap));

        Assert.Equal(frames.Count - 1, relayed.Count);
        Assert.Equal(frames[2..^1], relayed[2..]);
        Assert.DoesNotContain(relayed, f => Encoding.UTF8.GetString(f).Contains("response.failed", StringComparison.Ordinal));
        Assert.Equal(GatewayErrorKind.UpstreamFailed, tap.Error!.Kind);
        Assert.Equal("The model produced invalid content. Consider modifying your prompt if you are seeing this error persistently.", tap.Error.Message);
        Assert.False(tap.Completed);
        Assert.Null(tap.FinalResponse);
    }

    [Fact]
    public async Task Writes_its_own_failure_after_the_last_relayed_event_naming_the_response()
    {
        var body = FixtureFiles.Bytes(FailedFixture);
        using var tap = new ResponsesUsageTap("fast", price: null);
        await RelayAsync(body, tap);
        var output = new ArrayBufferWriter<byte>();

        tap.OnFailure(tap.Error!, output);

        var frame = output.WrittenSpan.ToArray();
        var failure = Data(frame);
        Assert.StartsWith("event: response.failed\ndata: ", Encoding.UTF8.GetString(frame), StringComparison.Ordinal);
        Assert.Equal(Data(RawFrames(body)[^2])["sequence_number"]!.GetValue<int>() + 1, failure["sequence_number"]!.GetValue<int>());
        var response = failure["response"]!;
        Assert.Equal("resp_68a5c7b3c4d581a0f6e5d4c3b2a1f0e90e9d8c7b6a5f4e3d", response["id"]!.GetValue<string>());
        Assert.Equal(1755695027, response["created_at"]!.GetValue<long>());
        Assert.Equal("fast", response["model"]!.GetValue<string>());
        Assert.Equal("failed", response["status"]!.GetValue<string>());
        JsonAssert.Equal(
            JsonAssert.Parse("""{"code":"upstream_error","message":"The model produced invalid content. Consider modifying your prompt if you are seeing this error persistently."}"""),
            response["error"]);
    }

    [Fact]
    public async Task Reads_an_error_event_of_an_unexpected_shape_as_an_upstream_failure()
    {
        var frames = RawFrames(FixtureFiles.Bytes(TextFixture));
        var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(frames[0]) + "event: error\ndata: {\"type\":\"error\",\"sequence_number\":1,\"code\":500,\"message\":[\"down\"]}\n\n");
        using var tap = new ResponsesUsageTap("fast", price: null);

        var relayed = RawFrames(await RelayAsync(body, tap));

        Assert.Single(relayed);
        Assert.Equal(GatewayErrorKind.UpstreamFailed, tap.Error!.Kind);
        Assert.Equal("The upstream failed.", tap.Error.Message);
    }

    [Theory]
    [InlineData("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\n\n")]
    [InlineData("data: [1,2]\n\n")]
    public async Task Reports_a_malformed_event_and_relays_nothing_from_it_on(string badFrame)
    {
        var frames = RawFrames(FixtureFiles.Bytes(TextFixture));
        var beforeTheBadFrame = frames[2..5].SelectMany(f => f).ToArray();
        using var tap = new ResponsesUsageTap("fast", price: null);

        var relayed = await RelayAsync([.. beforeTheBadFrame, .. Encoding.UTF8.GetBytes(badFrame), .. frames[5..].SelectMany(f => f)], tap);

        Assert.Equal(Encoding.UTF8.GetString(beforeTheBadFrame), Encoding.UTF8.GetString(relayed));
        Assert.Equal(GatewayErrorKind.UpstreamFailed, tap.Error!.Kind);
        Assert.Equal("The upstream sent a malformed stream event.", tap.Error.Message);
        Assert.False(tap.Completed);
    }

    [Fact]
    public async Task Passes_comments_through_untouched()
    {
        var body = Encoding.UTF8.GetBytes(": keep-alive\n\n");
        using var tap = new ResponsesUsageTap("fast", price: null);

        var relayed = await RelayAsync(body, tap);

        Assert.Equal(body, relayed);
        Assert.Null(tap.Usage);
        Assert.False(tap.Completed);
    }

    /// <summary>The response events' JSON with the model each reported.</summary>
    private static List<string> ResponseEventsReported(IEnumerable<byte[]> frames) =>
        frames.Select(Data).Select(d => $"{d["type"]}:{d["response"]?["id"]}").ToList();

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
            "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\ndata: \"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"model\":\"up\",\"status\":\"in_progress\",\"output\":[\ndata: ]}}\n\n"
            + "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":1,\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"model\":\"up\",\"status\":\"completed\",\"output\":[],\"usage\":{\"input_tokens\":3,\ndata: \"output_tokens\":2,\"total_tokens\":5}}}\n\n");
        using var tap = new ResponsesUsageTap("fast", price: null);

        var events = EventStreams.StrictEvents(await RelayAsync(body, tap));

        Assert.Equal(["response.created", "response.completed"], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal("fast", (string?)e.Data["response"]!["model"]));
        Assert.Equal(5, (int?)events[1].Data["response"]!["usage"]!["total_tokens"]);
        Assert.True(tap.Completed);
    }

    private static Task<byte[]> RelayAsync(byte[] body, ResponsesUsageTap tap) => RelayAsync(new MemoryStream(body), tap);

    private static async Task<byte[]> RelayAsync(Stream source, ResponsesUsageTap tap)
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
