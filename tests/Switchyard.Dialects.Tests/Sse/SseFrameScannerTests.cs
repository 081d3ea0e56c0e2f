using System.Buffers;
using System.Text;
using CsCheck;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Tests.Sse;

public sealed class SseFrameScannerTests
{
    // Every line ending the spec allows, comments, event lines, multi-line data, and a CR-only frame.
    private const string MixedStream =
        "data: one\r\n\r\n" +
        ": keep-alive\n\n" +
        "event: message_delta\ndata: {\"a\":\ndata:  1}\n\n" +
        "data: three\r\rdata:four\r\n\n" +
        "id: 7\ndata\n\n";

    private static readonly string[] MixedFrames =
    [
        "data: one\r\n\r\n",
        ": keep-alive\n\n",
        "event: message_delta\ndata: {\"a\":\ndata:  1}\n\n",
        "data: three\r\r",
        "data:four\r\n\n",
        "id: 7\ndata\n\n",
    ];

    [Theory]
    [InlineData("data: a\n\n", 9)]
    [InlineData("data: a\r\n\r\n", 11)]
    [InlineData("data: a\r\rx", 9)]
    [InlineData("data: a\n\r\n", 10)]
    [InlineData("data: a\r\n\n", 10)]
    [InlineData("data: a\r\r\n", 10)]
    [InlineData("data: a\n\ndata: b\n\n", 9)]
    [InlineData("event: x\ndata: a\ndata: b\n\n", 26)]
    [InlineData(": ping\n\n", 8)]
    public void Finds_the_end_of_the_first_frame_with_any_line_ending(string buffer, int end)
    {
        var bytes = Encoding.UTF8.GetBytes(buffer);

        var found = SseFrameScanner.FindFrameEnd(bytes);

        Assert.Equal(end, found);
    }

    [Theory]
    [InlineData("")]
    [InlineData("data: a")]
    [InlineData("data: a\n")]
    [InlineData("data: a\r\n")]
    [InlineData("data: a\r\n\r")]
    [InlineData("data: a\ndata: b\n")]
    [InlineData(": comment\n")]
    public void Waits_for_more_bytes_when_no_frame_is_complete(string buffer)
    {
        var bytes = Encoding.UTF8.GetBytes(buffer);

        var found = SseFrameScanner.FindFrameEnd(bytes);

        Assert.Equal(-1, found);
    }

    [Fact]
    public void Waits_after_a_cr_that_a_lf_may_still_follow()
    {
        // "\r\r" then "\n" is one CR line break and one CRLF blank line: the frame is 10 bytes, not 9.
        var partial = Encoding.UTF8.GetBytes("data: a\r\r");
        var whole = Encoding.UTF8.GetBytes("data: a\r\r\n");

        var early = SseFrameScanner.FindFrameEnd(partial);
        var late = SseFrameScanner.FindFrameEnd(whole);

        Assert.Equal(-1, early);
        Assert.Equal(10, late);
    }

    [Fact]
    public void Splits_a_mixed_stream_into_its_frames()
    {
        var bytes = Encoding.UTF8.GetBytes(MixedStream);

        var (frames, rest) = Scan([bytes]);

        Assert.Equal(MixedFrames, frames);
        Assert.Empty(rest);
    }

    [Fact]
    public void Finds_the_same_frames_wherever_the_bytes_are_split()
    {
        var bytes = Encoding.UTF8.GetBytes(MixedStream);

        for (var i = 0; i <= bytes.Length; i++)
        {
            var (frames, rest) = Scan([bytes[..i], bytes[i..]]);

            Assert.True(MixedFrames.SequenceEqual(frames), $"split at byte {i}: {string.Join(" | ", frames)}");
            Assert.Empty(rest);
        }

        var (oneByOne, leftover) = Scan(bytes.Select(b => new[] { b }));
        Assert.Equal(MixedFrames, oneByOne);
        Assert.Empty(leftover);
    }

    /// <summary>
    /// A search resumed where an earlier one over a shorter buffer found nothing finds what a search
    /// from the start finds: any bytes of lines and line ends, grown at any point.
    /// </summary>
    [Fact]
    public void A_search_resumed_after_a_vain_one_finds_what_a_whole_search_finds()
    {
        Gen.Char["a:\r\n"].Array[0, 40].Select(Gen.Int[0, 40]).Sample((chars, cut) =>
        {
            var bytes = Encoding.ASCII.GetBytes(chars);
            var searched = Math.Min(cut, bytes.Length);
            if (SseFrameScanner.FindFrameEnd(bytes.AsSpan(0, searched)) >= 0)
            {
                return;
            }

            Assert.Equal(SseFrameScanner.FindFrameEnd(bytes), SseFrameScanner.FindFrameEnd(bytes, searched));
        }, iter: 50_000);
    }

    [Fact]
    public void Never_reports_a_frame_end_a_longer_buffer_would_move()
    {
        var bytes = Encoding.UTF8.GetBytes(MixedStream);
        var whole = SseFrameScanner.FindFrameEnd(bytes);

        for (var i = 0; i < bytes.Length; i++)
        {
            var prefix = SseFrameScanner.FindFrameEnd(bytes.AsSpan(0, i));

            Assert.True(prefix == -1 || prefix == whole, $"prefix of {i} bytes ended the frame at {prefix}, the whole stream at {whole}");
        }
    }

    [Theory]
    [InlineData("data: {\"a\":1}\n\n", "{\"a\":1}", 1)]
    [InlineData("data:{\"a\":1}\n\n", "{\"a\":1}", 1)]
    [InlineData("data:  two spaces\n\n", " two spaces", 1)]
    [InlineData("data: {\r\ndata: \"a\": 1\r\ndata: }\r\n\r\n", "{\n\"a\": 1\n}", 3)]
    [InlineData("data: a\rdata: b\r\r", "a\nb", 2)]
    [InlineData("event: ping\n: comment\ndata: x\nid: 3\nretry: 10\n\n", "x", 1)]
    [InlineData("data\n\n", "", 1)]
    [InlineData("data:\ndata:\n\n", "\n", 2)]
    [InlineData(": only a comment\n\n", "", 0)]
    [InlineData("dataset: not data\n\n", "", 0)]
    [InlineData("data: no line break at all", "no line break at all", 1)]
    public void Reads_the_data_of_a_frame(string frame, string data, int lines)
    {
        var output = new ArrayBufferWriter<byte>();

        var count = SseFrameScanner.ReadData(Encoding.UTF8.GetBytes(frame), output);

        Assert.Equal(lines, count);
        Assert.Equal(data, Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Theory]
    [InlineData("data: {\"a\":1}\n\n", "{\"a\":1}")]
    [InlineData("data:{\"a\":1}\r\n\r\n", "{\"a\":1}")]
    [InlineData("data:  two spaces\r\r", " two spaces")]
    public void Reads_a_one_line_frame_in_place(string frame, string data)
    {
        using var scratch = new PooledBufferWriter(16);
        scratch.Write("left over"u8);

        var lines = SseFrameScanner.Data(Encoding.UTF8.GetBytes(frame), scratch, out var read);

        Assert.Equal(1, lines);
        Assert.Equal(data, Encoding.UTF8.GetString(read));
        Assert.Equal("left over", Encoding.UTF8.GetString(scratch.WrittenSpan)); // not copied
    }

    private static readonly Gen<string> FramePart = Gen.OneOf<string>(
        "data", "data:", "data: ", "data:  ", "event: x", ": c", "id: 1", "dat", "x", "{\"a\":1}", "\r", "\n", "\r\n", " ");

    [Fact]
    public void Reads_the_same_data_in_place_as_by_copy()
    {
        // Whatever a frame holds (other fields, several data lines, any line ending), the in-place
        // read and the joining copy agree on the data and on the number of data lines.
        FramePart.Array[0, 12].Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts))).Sample(frame =>
        {
            var copy = new ArrayBufferWriter<byte>();
            var expectedLines = SseFrameScanner.ReadData(frame, copy);
            using var scratch = new PooledBufferWriter(16);

            var lines = SseFrameScanner.Data(frame, scratch, out var data);

            return lines == expectedLines && data.SequenceEqual(copy.WrittenSpan);
        }, iter: 20_000);
    }

    /// <summary>What a passthrough copy does: append each read to a buffer and cut off every complete frame.</summary>
    private static (List<string> Frames, byte[] Remainder) Scan(IEnumerable<byte[]> reads)
    {
        var frames = new List<string>();
        var buffer = new List<byte>();
        foreach (var read in reads)
        {
            buffer.AddRange(read);
            int end;
            while ((end = SseFrameScanner.FindFrameEnd(buffer.ToArray())) > 0)
            {
                frames.Add(Encoding.UTF8.GetString(buffer.GetRange(0, end).ToArray()));
                buffer.RemoveRange(0, end);
            }
        }

        return (frames, buffer.ToArray());
    }
}
