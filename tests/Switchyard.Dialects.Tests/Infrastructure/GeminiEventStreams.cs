using System.Text.Json.Nodes;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Tests.Infrastructure;

/// <summary>Runs bytes and events through the Gemini <c>streamGenerateContent?alt=sse</c> stages.</summary>
internal static class GeminiEventStreams
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>
    /// The reader's events, with <see cref="ResponseStarted.Created"/> pinned to the epoch: Gemini
    /// chunks carry no creation time, so the reader stamps the clock and two reads would never compare equal.
    /// </summary>
    public static async Task<List<StreamEvent>> ReadAsync(Stream body)
    {
        var events = await GeminiGenerateDialect.Instance.ReadStream(LentFrames.ReadAsync(body, Token), Token).ToListAsync(Token);
        return events.Select(e => e is ResponseStarted started ? started with { Created = DateTimeOffset.UnixEpoch } : e).ToList();
    }

    public static Task<List<StreamEvent>> ReadAsync(byte[] body) => ReadAsync(new MemoryStream(body));

    public static Task<List<StreamEvent>> ReadAsync(string body) => ReadAsync(System.Text.Encoding.UTF8.GetBytes(body));

    public static async Task<List<SseFrame>> WriteAsync(IEnumerable<StreamEvent> events, string model = "fast") =>
        await GeminiGenerateDialect.Instance.WriteStream(events.ToAsyncEnumerable(), new StreamWriteOptions { Model = model }, Token).ToListAsync(Token);

    /// <summary>Each frame's <c>GenerateContentResponse</c>, after checking that Gemini frames carry no <c>event:</c> line.</summary>
    public static List<JsonNode> Chunks(IEnumerable<SseFrame> frames) => frames.Select(frame =>
    {
        Assert.Null(frame.EventType);
        return EventStreams.Json(frame);
    }).ToList();

    /// <summary>The parts of a chunk's first candidate.</summary>
    public static JsonArray Parts(JsonNode chunk) => chunk["candidates"]![0]!["content"]!["parts"]!.AsArray();

    /// <summary>Fails with both lists printed when the events differ.</summary>
    public static void AssertSameEvents(List<StreamEvent> expected, List<StreamEvent> actual, string context)
    {
        if (!expected.SequenceEqual(actual))
        {
            Assert.Fail($"{context}: expected\n{string.Join('\n', expected)}\nbut got\n{string.Join('\n', actual)}");
        }
    }
}
