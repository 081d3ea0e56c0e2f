using System.Text;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Tests.Infrastructure;

/// <summary>The codec tests read through <see cref="LentFrames"/>: its poison must reach data kept too long.</summary>
public sealed class LentFramesTests
{
    [Fact]
    public async Task Data_kept_past_the_next_event_or_the_end_reads_the_poison()
    {
        var token = TestContext.Current.CancellationToken;
        var body = new MemoryStream(Encoding.UTF8.GetBytes("data: first\n\ndata: second\n\n"));
        var kept = new List<ReadOnlyMemory<byte>>();
        var seen = new List<string>();

        await foreach (var frame in LentFrames.ReadAsync(body, token))
        {
            seen.Add(Encoding.UTF8.GetString(frame.Data.Span));
            kept.Add(frame.Data);
        }

        Assert.Equal(["first", "second"], seen);
        Assert.All(kept, data => Assert.True(data.Span.IndexOfAnyExcept(LentFrames.Poison) < 0));
    }
}
