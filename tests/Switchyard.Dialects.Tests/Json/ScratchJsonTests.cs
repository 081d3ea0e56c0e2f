using System.Text;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Tests.Json;

/// <summary>The thread's reusable writer gives each document whole and on its own, whatever was written before it.</summary>
public sealed class ScratchJsonTests
{
    [Fact]
    public void Each_document_is_whole_and_unaffected_by_the_next()
    {
        var first = Write("a", 1);
        var large = Write(new string('x', 40_000), 2);
        var after = Write("b", 3);

        Assert.Equal("""{"text":"a","n":1}""", Encoding.UTF8.GetString(first));
        Assert.Equal(40_000 + """{"text":"","n":2}""".Length, large.Length);
        Assert.Equal("""{"text":"b","n":3}""", Encoding.UTF8.GetString(after));
    }

    [Fact]
    public void A_document_left_half_written_does_not_reach_the_next()
    {
        var broken = ScratchJson.Start();
        broken.WriteStartObject();
        broken.WriteString("dangling"u8, "yes");

        Assert.Equal("""{"text":"c","n":4}""", Encoding.UTF8.GetString(Write("c", 4)));
    }

    private static byte[] Write(string text, int n)
    {
        var writer = ScratchJson.Start();
        writer.WriteStartObject();
        writer.WriteString("text"u8, text);
        writer.WriteNumber("n"u8, n);
        writer.WriteEndObject();
        return ScratchJson.Finish(writer);
    }
}
