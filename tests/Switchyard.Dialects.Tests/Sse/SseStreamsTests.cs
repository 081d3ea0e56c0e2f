using System.Buffers;
using System.Text;
using Switchyard.Dialects.Sse;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Sse;

public sealed class SseStreamsTests
{
    [Fact]
    public void Writes_a_frame_as_data_lines_ending_in_a_blank_line()
    {
        var output = new ArrayBufferWriter<byte>();

        SseStreams.Write(output, SseFrame.FromData("{\"a\":1}"u8.ToArray()));
        SseStreams.Write(output, new SseFrame("message_stop", "{}"u8.ToArray()));

        Assert.Equal("data: {\"a\":1}\n\nevent: message_stop\ndata: {}\n\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Splits_data_with_line_breaks_into_several_data_lines()
    {
        var output = new ArrayBufferWriter<byte>();

        SseStreams.Write(output, SseFrame.FromData("one\ntwo\r\nthree\rfour"u8.ToArray()));

        Assert.Equal("data: one\ndata: two\ndata: three\ndata: four\n\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public async Task Reads_back_what_it_writes()
    {
        SseFrame[] frames =
        [
            SseFrame.FromData("{\"a\":\"é 👋\"}"u8.ToArray()),
            new SseFrame("content_block_delta", "line one\nline two"u8.ToArray()),
            SseFrame.FromData(""u8.ToArray()),
            SseFrame.FromData("[DONE]"u8.ToArray()),
        ];

        var read = await EventStreams.FramesAsync(EventStreams.Serialize(frames));

        Assert.Equal(frames.Select(f => (f.EventType, Encoding.UTF8.GetString(f.Data.Span))), read.Select(f => (f.EventType, Encoding.UTF8.GetString(f.Data.Span))));
        Assert.True(read[^1].IsDone);
    }

    [Fact]
    public async Task Reads_frames_whole_wherever_the_bytes_are_split()
    {
        var body = Encoding.UTF8.GetBytes(": hi\r\n\r\nevent: e\r\ndata: é\r\ndata: 👋\r\n\r\ndata: [DONE]\r\n\r\n");
        var expected = new[] { ("e", "é\n👋"), ((string?)null, "[DONE]") };

        for (var i = 0; i <= body.Length; i++)
        {
            var frames = await SseStreams.ReadAsync(SegmentedStream.SplitAt(body, i), TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);

            Assert.Equal(expected, frames.Select(f => (f.EventType, Encoding.UTF8.GetString(f.Data.Span))));
        }
    }
}
