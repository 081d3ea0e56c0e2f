using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Framing;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.Sse;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Framing;

/// <summary>
/// Gemini streams relayed to clients that did not ask for <c>alt=sse</c>: the passthrough stage's
/// SSE output re-framed as Google's progressively written JSON array.
/// </summary>
public sealed class JsonArrayFramingTests
{
    private const string TextFixture = "gemini/text.stream.sse";
    private const string ToolCallsFixture = "gemini/thinking-tool-calls.stream.sse";

    public static TheoryData<string> Fixtures => new() { TextFixture, ToolCallsFixture };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Reframes_the_relayed_chunks_as_one_json_array(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        using var sseTap = new GenerateContentUsageTap("fast", price: _ => 0.25m);
        var relayedSse = await SseAsync(body, sseTap);
        using var tap = new GenerateContentUsageTap("fast", price: _ => 0.25m);

        var array = await ArrayAsync(new MemoryStream(body), tap);

        var expected = new JsonArray((await EventStreams.FramesAsync(relayedSse)).Select(f => (JsonNode?)EventStreams.Json(f)).ToArray());
        JsonAssert.Equal(expected, JsonAssert.Parse(array));
        Assert.Equal(sseTap.Usage, tap.Usage);
        Assert.True(tap.Completed);
    }

    [Fact]
    public async Task Writes_the_array_as_google_does_with_crlf_between_elements()
    {
        var body = FixtureFiles.Bytes(TextFixture);
        var data = (await EventStreams.FramesAsync(body)).Select(f => Encoding.UTF8.GetString(f.Data.Span)).ToList();
        using var tap = new GenerateContentUsageTap("gemini-2.5-flash", price: null);

        var array = await ArrayAsync(new MemoryStream(body), tap);

        Assert.Equal("[" + string.Join(",\r\n", data) + "]", Encoding.UTF8.GetString(array));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Writes_the_same_array_wherever_the_upstream_split_the_bytes(string fixture)
    {
        var body = FixtureFiles.Bytes(fixture);
        using var whole = new GenerateContentUsageTap("fast", price: _ => 0.5m);
        var expected = await ArrayAsync(new MemoryStream(body), whole);

        for (var i = 0; i <= body.Length; i++)
        {
            using var tap = new GenerateContentUsageTap("fast", price: _ => 0.5m);

            var actual = await ArrayAsync(SegmentedStream.SplitAt(body, i), tap);

            Assert.True(expected.AsSpan().SequenceEqual(actual), $"split at byte {i} changed the array");
        }

        using var oneByOne = new GenerateContentUsageTap("fast", price: _ => 0.5m);
        Assert.Equal(expected, await ArrayAsync(SegmentedStream.OneBytePerRead(body), oneByOne));
    }

    [Fact]
    public async Task Writes_an_empty_array_for_an_empty_stream()
    {
        using var tap = new GenerateContentUsageTap("fast", price: null);

        var array = await ArrayAsync(new MemoryStream([]), tap);

        Assert.Equal("[]", Encoding.UTF8.GetString(array));
        Assert.False(tap.Completed);
    }

    [Fact]
    public async Task Leaves_the_array_open_after_an_error_so_the_error_can_be_its_last_element()
    {
        var body = FixtureFiles.Bytes("gemini/overloaded.stream.sse");
        using var tap = new GenerateContentUsageTap("fast", price: null);
        var writer = new JsonArrayWriter();
        using var framing = new JsonArrayFraming(tap, writer);
        var output = new ArrayBufferWriter<byte>();

        await SseRelay.RunAsync(new MemoryStream(body), framing, (bytes, _) =>
        {
            output.Write(bytes.Span);
            return ValueTask.CompletedTask;
        }, TestContext.Current.CancellationToken);
        var open = Encoding.UTF8.GetString(output.WrittenSpan);
        var error = new ArrayBufferWriter<byte>();
        GeminiErrors.Write(tap.Error!, error);
        writer.WriteElement(output, error.WrittenSpan);
        writer.Close(output);

        Assert.StartsWith("[{", open, StringComparison.Ordinal);
        Assert.EndsWith("}", open, StringComparison.Ordinal);
        var elements = JsonAssert.Parse(output.WrittenSpan).AsArray();
        Assert.Equal(2, elements.Count);
        Assert.Equal("Once upon", elements[0]!["candidates"]![0]!["content"]!["parts"]![0]!["text"]!.GetValue<string>());
        JsonAssert.Equal(
            JsonAssert.Parse("""{"error":{"code":502,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}"""),
            elements[1]);
    }

    [Fact]
    public void Separates_elements_and_closes_the_array()
    {
        var writer = new JsonArrayWriter();
        var output = new ArrayBufferWriter<byte>();

        writer.WriteElement(output, """{"a":1}"""u8);
        writer.WriteElement(output, """{"b":2}"""u8);
        writer.Close(output);

        Assert.Equal("[{\"a\":1},\r\n{\"b\":2}]", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Closes_an_array_nothing_was_written_to_as_an_empty_one()
    {
        var writer = new JsonArrayWriter();
        var output = new ArrayBufferWriter<byte>();

        writer.Close(output);

        Assert.Equal("[]", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    /// <summary>The tap's SSE output, as the passthrough path relays it for <c>alt=sse</c> clients.</summary>
    private static async Task<byte[]> SseAsync(byte[] body, GenerateContentUsageTap tap)
    {
        var output = new ArrayBufferWriter<byte>();
        await SseRelay.RunAsync(new MemoryStream(body), tap, (bytes, _) =>
        {
            output.Write(bytes.Span);
            return ValueTask.CompletedTask;
        }, TestContext.Current.CancellationToken);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The same stream through <see cref="JsonArrayFraming"/>, with the array closed at the end.</summary>
    private static async Task<byte[]> ArrayAsync(Stream source, GenerateContentUsageTap tap)
    {
        var writer = new JsonArrayWriter();
        using var framing = new JsonArrayFraming(tap, writer);
        var output = new ArrayBufferWriter<byte>();
        await SseRelay.RunAsync(source, framing, (bytes, _) =>
        {
            output.Write(bytes.Span);
            return ValueTask.CompletedTask;
        }, TestContext.Current.CancellationToken);
        writer.Close(output);
        return output.WrittenSpan.ToArray();
    }
}
