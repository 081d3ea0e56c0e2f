using System.Buffers;
using System.Text;
using Switchyard.Dialects.Framing;
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

    /// <summary>
    /// An open stream waits for its upstream's next frame without a buffer (a zero-byte read), so
    /// ten thousand quiet streams hold none; while a frame is partly read it reads into the buffer.
    /// </summary>
    [Fact]
    public async Task Waits_for_the_next_frame_without_a_buffer_and_for_the_rest_of_a_partial_frame_with_one()
    {
        var body = "data: a\n\ndata: b"u8.ToArray();
        var source = new ReadRecordingStream(new SegmentedStream([body.AsMemory(0, 9), body.AsMemory(9), "\n\n"u8.ToArray()]));

        var relayed = await RelayAsync(source);

        Assert.Equal(["data: a\n\n", "data: b\n\n"], relayed.Frames);
        // Before each frame a zero-byte wait then a read; "data: b" leaves a partial frame, so its
        // rest is read straight away; then the wait and the read that find the end.
        Assert.Equal([0, SseRelay.BufferSize, 0, SseRelay.BufferSize, SseRelay.BufferSize - 7, 0, SseRelay.BufferSize], source.Asked);
    }

    /// <summary>A frame that never ends fails the relay at the limit, having read no more than the limit and one read.</summary>
    [Fact]
    public async Task Fails_a_frame_that_outgrows_the_limit_without_reading_on()
    {
        var source = new EndlessFrameStream();

        await Assert.ThrowsAsync<SseFrameTooLargeException>(() => RelayAsync(source));

        Assert.InRange(source.Served, SseRelay.MaxFrameBytes, SseRelay.MaxFrameBytes + SseRelay.BufferSize);
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

    /// <summary>"data: " and then letters, forever: a frame with no end.</summary>
    private sealed class EndlessFrameStream() : ReadOnlyViewStream(Stream.Null, ownsInner: false)
    {
        public long Served { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Served >= 4L * SseRelay.MaxFrameBytes)
            {
                // A relay without a limit would read on: end, so the test fails rather than runs out of memory.
                return ValueTask.FromResult(0);
            }

            buffer.Span.Fill((byte)'a');
            if (Served == 0 && buffer.Length >= 6)
            {
                "data: "u8.CopyTo(buffer.Span);
            }

            Served += buffer.Length;
            return ValueTask.FromResult(buffer.Length);
        }
    }

    /// <summary>Remembers the size of every buffer it is asked to read into.</summary>
    private sealed class ReadRecordingStream(Stream inner) : ReadOnlyViewStream(inner, ownsInner: true)
    {
        public List<int> Asked { get; } = [];

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Asked.Add(buffer.Length);
            return Inner.ReadAsync(buffer, cancellationToken);
        }
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
