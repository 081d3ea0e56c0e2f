using System.Text;
using CsCheck;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Tests.Sse;

public sealed class SseEventLimitStreamTests
{
    private const int Limit = 64;

    private static readonly Gen<string> Line = Gen.Char["abcdefgh :{}\"0123"].Array[0, 15].Select(chars => new string(chars));

    /// <summary>Events within the limit, with any of the spec's line ends, cut anywhere into reads, pass.</summary>
    [Fact]
    public void Lets_events_within_the_limit_through_wherever_the_reads_cut_them()
    {
        Gen.Select(Line.Array[1, 3].Array[1, 30], Gen.OneOf(Gen.Const("\n"), Gen.Const("\r\n"), Gen.Const("\r")), Gen.Int[1, 40]).Sample((events, end, cut) =>
        {
            var body = Encoding.UTF8.GetBytes(string.Concat(events.Select(lines => string.Concat(lines.Select(l => l + end)) + end)));
            var stream = new SseEventLimitStream(Stream.Null, Limit);

            for (var at = 0; at < body.Length; at += cut)
            {
                stream.Count(body.AsSpan(at, Math.Min(cut, body.Length - at)));
            }
        }, iter: 5_000);
    }

    /// <summary>An event that runs past the limit fails, however many lines it is cut into.</summary>
    [Fact]
    public void Fails_an_event_that_runs_past_the_limit_in_one_line_or_many()
    {
        Gen.Select(Gen.OneOf(Gen.Const("\n"), Gen.Const("\r\n"), Gen.Const("\r")), Gen.Int[1, 40], Gen.Int[1, 20]).Sample((end, cut, lineLength) =>
        {
            var lines = (Limit / (lineLength + end.Length)) + 1;
            var body = Encoding.UTF8.GetBytes("data: ok" + end + end + string.Concat(Enumerable.Repeat(new string('x', lineLength) + end, lines)));
            var stream = new SseEventLimitStream(Stream.Null, Limit);

            Assert.Throws<SseFrameTooLargeException>(() =>
            {
                for (var at = 0; at < body.Length; at += cut)
                {
                    stream.Count(body.AsSpan(at, Math.Min(cut, body.Length - at)));
                }
            });
        }, iter: 2_000);
    }

    [Fact]
    public async Task Reads_pass_through_unchanged()
    {
        var body = "event: a\ndata: 1\n\ndata: 2\r\n\r\n"u8.ToArray();
        await using var stream = new SseEventLimitStream(new MemoryStream(body), Limit);
        var copy = new MemoryStream();

        await stream.CopyToAsync(copy, TestContext.Current.CancellationToken);

        Assert.Equal(body, copy.ToArray());
    }
}
