using System.Buffers;
using System.Text;
using Switchyard.Dialects.Sse;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Sse;

public sealed class SseRelayTests
{
    public static TheoryData<string> StreamFixtures => new()
    {
        "openai-chat/text.stream.sse",
        "openai-chat/parallel-tool-calls.stream.sse",
        "openai-chat/reasoning.stream.sse",
    };

    [Theory]
    [MemberData(nameof(StreamFixtures))]
    public async Task Relays_every_frame_whole_wherever_the_bytes_are_split(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        var expected = await RelayAsync(new MemoryStream(body));

        for (var i = 0; i <= body.Length; i++)
        {
            var actual = await RelayAsync(SegmentedStream.SplitAt(body, i));

            Assert.True(expected.Frames.SequenceEqual(actual.Frames), $"split at byte {i} changed the frames");
            Assert.Equal(body, actual.Output);
        }

        Assert.Equal(body, expected.Output);
        Assert.Equal(Encoding.UTF8.GetString(body).Split("\n\n").Length - 1, expected.Frames.Count);
    }

    [Fact]
    public async Task Writes_each_frame_as_soon_as_it_is_complete()
    {
        var body = FixtureFiles.Bytes("openai-chat/text.stream.sse");

        var relayed = await RelayAsync(SegmentedStream.OneBytePerRead(body));

        Assert.Equal(relayed.Frames.Count, relayed.Writes);
        Assert.Equal(body, relayed.Output);
    }

    [Fact]
    public async Task Delivers_a_frame_larger_than_the_buffer_whole()
    {
        var big = "data: {\"content\":\"" + new string('x', (SseRelay.BufferSize * 3) + 17) + "\"}\n\n";
        var body = Encoding.UTF8.GetBytes("data: {}\n\n" + big + "data: [DONE]\n\n");

        var relayed = await RelayAsync(new SegmentedStream([body.AsMemory(0, 5000), body.AsMemory(5000)]));

        Assert.Equal(["data: {}\n\n", big, "data: [DONE]\n\n"], relayed.Frames);
        Assert.Equal(body, relayed.Output);
    }

    [Fact]
    public async Task Hands_a_trailing_frame_without_its_blank_line_to_the_handler_then_ends()
    {
        var body = Encoding.UTF8.GetBytes("data: a\n\ndata: b");

        var relayed = await RelayAsync(new MemoryStream(body));

        Assert.Equal(["data: a\n\n", "data: b"], relayed.Frames);
        Assert.Equal(1, relayed.Ends);
    }

    private static async Task<Relayed> RelayAsync(Stream source)
    {
        var handler = new RecordingHandler();
        var output = new ArrayBufferWriter<byte>();
        var writes = 0;

        await SseRelay.RunAsync(source, handler, (bytes, _) =>
        {
            writes++;
            output.Write(bytes.Span);
            return ValueTask.CompletedTask;
        }, TestContext.Current.CancellationToken);

        return new Relayed(handler.Frames, output.WrittenSpan.ToArray(), writes, handler.Ends);
    }

    private sealed record Relayed(List<string> Frames, byte[] Output, int Writes, int Ends);

    /// <summary>Copies every frame through unchanged and remembers what it saw.</summary>
    private sealed class RecordingHandler : ISseFrameHandler
    {
        public List<string> Frames { get; } = [];

        public int Ends { get; private set; }

        public void OnFrame(ReadOnlySpan<byte> frame, IBufferWriter<byte> output)
        {
            Frames.Add(Encoding.UTF8.GetString(frame));
            output.Write(frame);
        }

        public void OnEnd(IBufferWriter<byte> output) => Ends++;

        public void OnFailure(GatewayError error, IBufferWriter<byte> output)
        {
        }
    }
}
