using System.Buffers;
using System.Net.ServerSentEvents;
using System.Text;
using CsCheck;
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

    private static readonly Gen<string> LineEnd = Gen.OneOf(Gen.Const("\n"), Gen.Const("\r\n"), Gen.Const("\r"));

    private static readonly Gen<string> Value = Gen.OneOf(
        Gen.Const(""), Gen.Const(" "), Gen.Const("{\"a\":1}"), Gen.Const("[DONE]"), Gen.Const(" two spaces"), Gen.Const("é 👋"),
        Gen.Const("x: y"), Gen.Const("message"), Gen.Const("content_block_delta"), Gen.Char["ab :é\u0000"].Array[0, 6].Select(c => new string(c)));

    private static readonly Gen<string> Line = Gen.OneOf(
        Value.Select(v => "data:" + v), Value.Select(v => "data: " + v), Gen.Const("data"),
        Value.Select(v => "event:" + v), Value.Select(v => "event: " + v), Gen.Const("event"),
        Value.Select(v => ":" + v), Value.Select(v => "id: " + v), Gen.Const("retry: 10"), Value.Select(v => "other: " + v), Value, Gen.Const(""));

    /// <summary>
    /// Any body of the spec's lines, any line ends, with or without a byte order mark or a last
    /// blank line, cut into reads anywhere: the events the spec's interpretation gives
    /// (<see cref="SpecEvents"/>). The BCL's <see cref="SseParser"/>, which the gateway used
    /// before, gives the same but in two corners: it keeps an <c>event</c> type past a blank
    /// line that dispatched nothing, and reports an empty <c>event:</c> line's type as "".
    /// </summary>
    [Fact]
    public void Reads_the_events_the_spec_gives_from_any_body_cut_anywhere()
    {
        Gen.Select(Gen.Select(Line, LineEnd).Array[0, 24], Gen.Bool, Gen.Int[1, 12]).Sample((lines, bom, cut) =>
        {
            var text = string.Concat(lines.Select(l => l.Item1 + l.Item2));
            var body = (bom ? [0xEF, 0xBB, 0xBF] : Array.Empty<byte>()).Concat(Encoding.UTF8.GetBytes(text)).ToArray();
            var segments = Enumerable.Range(0, (body.Length + cut - 1) / cut).Select(i => (ReadOnlyMemory<byte>)body.AsMemory(i * cut, Math.Min(cut, body.Length - (i * cut)))).ToArray();

            var read = SseStreams.ReadAsync(new SegmentedStream(segments)).ToListAsync().AsTask().GetAwaiter().GetResult();
            // Lent data is read before the next event is asked for, as the codecs read it.
            var lent = SseStreams.ReadLentAsync(new SegmentedStream(segments)).Select(f => (f.EventType, Convert.ToHexString(f.Data.Span)))
                .ToListAsync().AsTask().GetAwaiter().GetResult();

            var expected = SpecEvents(body);
            Assert.Equal(expected, read.Select(f => (f.EventType, Convert.ToHexString(f.Data.Span))).ToList());
            Assert.Equal(expected, lent);
        }, iter: 20_000);
    }

    [Fact]
    public void Reads_what_the_BCL_parser_reads_from_what_upstreams_send()
    {
        Gen.Select(Gen.Select(Value.Select(v => v.Replace("\u0000", "", StringComparison.Ordinal)), Gen.OneOf(Gen.Const((string?)null), Gen.Const((string?)"content_block_delta"), Gen.Const((string?)"é")))
            .Array[0, 8], LineEnd, Gen.Int[1, 12]).Sample((events, end, cut) =>
        {
            var body = Encoding.UTF8.GetBytes(string.Concat(events.Select(e => (e.Item2 is { } type ? "event: " + type + end : "") + "data: " + e.Item1 + end + end)));
            var expected = SseParser.Create(new MemoryStream(body), static (_, data) => data.ToArray()).Enumerate()
                .Select(e => (e.EventType == SseParser.EventTypeDefault ? null : e.EventType, Convert.ToHexString(e.Data))).ToList();
            var segments = Enumerable.Range(0, (body.Length + cut - 1) / cut).Select(i => (ReadOnlyMemory<byte>)body.AsMemory(i * cut, Math.Min(cut, body.Length - (i * cut)))).ToArray();

            var read = SseStreams.ReadAsync(new SegmentedStream(segments)).ToListAsync().AsTask().GetAwaiter().GetResult();

            Assert.Equal(expected, read.Select(f => (f.EventType, Convert.ToHexString(f.Data.Span))).ToList());
        }, iter: 5_000);
    }

    /// <summary>
    /// The spec's event stream interpretation, step by step
    /// (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation),
    /// over a whole body: events as (type, hex of data), the default type as null.
    /// </summary>
    private static List<(string?, string)> SpecEvents(byte[] body)
    {
        var events = new List<(string?, string)>();
        var rest = body.AsSpan();
        if (rest.StartsWith((byte[])[0xEF, 0xBB, 0xBF]))
        {
            rest = rest[3..];
        }

        var data = new List<byte>();
        var eventType = "";
        while (rest.IndexOfAny((byte)'\r', (byte)'\n') is var end and >= 0)
        {
            var line = rest[..end];
            rest = rest[(rest[end] == '\r' && end + 1 < rest.Length && rest[end + 1] == '\n' ? end + 2 : end + 1)..];
            if (line.IsEmpty)
            {
                if (data.Count > 0)
                {
                    data.RemoveAt(data.Count - 1);
                    events.Add((eventType is "" or "message" ? null : eventType, Convert.ToHexString(data.ToArray())));
                }

                data.Clear();
                eventType = "";
                continue;
            }

            var colon = line.IndexOf((byte)':');
            var field = Encoding.UTF8.GetString(colon < 0 ? line : line[..colon]);
            var value = colon < 0 ? [] : line[(colon + 1)..];
            if (value.StartsWith(" "u8))
            {
                value = value[1..];
            }

            if (field == "data")
            {
                data.AddRange(value);
                data.Add((byte)'\n');
            }
            else if (field == "event")
            {
                eventType = Encoding.UTF8.GetString(value);
            }
        }

        return events;
    }

    [Fact]
    public async Task Fails_an_event_that_runs_past_the_limit_in_one_line_or_many()
    {
        foreach (var lineEnd in new[] { "\n", "\r\n", "\r" })
        {
            var longLine = Encoding.UTF8.GetBytes("data: ok" + lineEnd + lineEnd + "data: " + new string('x', 100) + lineEnd + lineEnd);
            var manyLines = Encoding.UTF8.GetBytes("data: ok" + lineEnd + lineEnd + string.Concat(Enumerable.Repeat("data: xxxxxxxx" + lineEnd, 10)) + lineEnd);

            foreach (var body in new[] { longLine, manyLines })
            {
                var read = new List<SseFrame>();
                await Assert.ThrowsAsync<SseFrameTooLargeException>(async () =>
                {
                    await foreach (var frame in SseStreams.ReadAsync(SegmentedStream.OneBytePerRead(body), 64, lend: false, TestContext.Current.CancellationToken))
                    {
                        read.Add(frame);
                    }
                });
                Assert.Equal(["ok"], read.Select(f => Encoding.UTF8.GetString(f.Data.Span)));
            }
        }
    }

    [Fact]
    public async Task Reads_events_up_to_the_limit()
    {
        var body = Encoding.UTF8.GetBytes("data: " + new string('x', 50) + "\n\n");

        var read = await SseStreams.ReadAsync(SegmentedStream.OneBytePerRead(body), 64, lend: false, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);

        Assert.Equal([new string('x', 50)], read.Select(f => Encoding.UTF8.GetString(f.Data.Span)));
    }
}
