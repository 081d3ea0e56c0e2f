using System.Buffers;
using System.Text;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Bedrock;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Framing;
using Switchyard.Dialects.Sse;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Bedrock;

/// <summary>Anthropic models on Bedrock's InvokeModelWithResponseStream: Anthropic's own events inside event-stream chunks.</summary>
public sealed class InvokeStreamFramesTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string> Fixtures => new() { "anthropic/text.stream.sse", "anthropic/thinking-tool-use.stream.sse", "anthropic/parallel-tool-use.stream.sse" };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Reads_the_same_events_as_anthropic_s_own_stream(string fixture)
    {
        var sse = FixtureFiles.Bytes(fixture);
        var expected = await MessagesEventStreams.ReadAsync(sse);

        var actual = await ReadAsync(new MemoryStream(await AsBedrockChunksAsync(sse)));

        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Reads_the_same_events_wherever_the_upstream_split_the_bytes()
    {
        var body = await AsBedrockChunksAsync(FixtureFiles.Bytes("anthropic/thinking-tool-use.stream.sse"));
        var expected = await ReadAsync(new MemoryStream(body));

        for (var i = 0; i <= body.Length; i++)
        {
            Assert.True(expected.SequenceEqual(await ReadAsync(SegmentedStream.SplitAt(body, i))), $"split at byte {i} changed the events");
        }

        Assert.Equal(expected, await ReadAsync(SegmentedStream.OneBytePerRead(body)));
    }

    [Fact]
    public async Task Turns_an_exception_frame_into_an_anthropic_error_the_reader_fails_on()
    {
        var output = new ArrayBufferWriter<byte>();
        AwsEventStreamWriter.WriteEvent(output, "chunk", Chunk("""{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"usage":{"input_tokens":3,"output_tokens":1}}}"""));
        AwsEventStreamWriter.WriteException(output, "throttlingException", "Too many tokens, please wait before trying again.");

        var events = await ReadAsync(new MemoryStream(output.WrittenSpan.ToArray()));

        var failed = Assert.IsType<ResponseFailed>(events[^1]);
        Assert.Equal(GatewayErrorKind.RateLimited, failed.Error.Kind);
        Assert.Equal("Too many tokens, please wait before trying again.", failed.Error.Message);
    }

    private static async Task<List<StreamEvent>> ReadAsync(Stream body)
    {
        var frames = InvokeStreamFrames.ReadAsync(AwsEventStreamReader.ReadAsync(body, Token), Token);
        var events = await AnthropicMessagesDialect.Instance.ReadStream(frames, Token).ToListAsync(Token);
        return events.Select(e => e is ResponseStarted started ? started with { Created = DateTimeOffset.UnixEpoch } : e).ToList();
    }

    /// <summary>Each SSE event's JSON as Bedrock sends it: a <c>chunk</c> event of <c>{"bytes":base64}</c>.</summary>
    private static async Task<byte[]> AsBedrockChunksAsync(byte[] sse)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var frame in await SseStreams.ReadAsync(new MemoryStream(sse), Token).ToListAsync(Token))
        {
            AwsEventStreamWriter.WriteEvent(output, "chunk", Chunk(Encoding.UTF8.GetString(frame.Data.Span)));
        }

        return output.WrittenSpan.ToArray();
    }

    private static byte[] Chunk(string json) =>
        Encoding.UTF8.GetBytes($$"""{"bytes":"{{Convert.ToBase64String(Encoding.UTF8.GetBytes(json))}}","p":"abcdefgh"}""");
}
