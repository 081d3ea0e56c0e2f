using System.Text.Json.Nodes;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Tests.Infrastructure;

/// <summary>Runs bytes and events through the Anthropic Messages stream stages.</summary>
internal static class MessagesEventStreams
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>
    /// The reader's events, with <see cref="ResponseStarted.Created"/> pinned to the epoch: Anthropic
    /// streams carry no creation time, so the reader stamps the clock and two reads would never compare equal.
    /// </summary>
    public static async Task<List<StreamEvent>> ReadAsync(Stream body)
    {
        var events = await AnthropicMessagesDialect.Instance.ReadStream(LentFrames.ReadAsync(body, Token), Token).ToListAsync(Token);
        return events.Select(e => e is ResponseStarted started ? started with { Created = DateTimeOffset.UnixEpoch } : e).ToList();
    }

    public static Task<List<StreamEvent>> ReadAsync(byte[] body) => ReadAsync(new MemoryStream(body));

    public static Task<List<StreamEvent>> ReadAsync(string body) => ReadAsync(System.Text.Encoding.UTF8.GetBytes(body));

    public static async Task<List<SseFrame>> WriteAsync(IEnumerable<StreamEvent> events, string model = "fast") =>
        await AnthropicMessagesDialect.Instance.WriteStream(events.ToAsyncEnumerable(), new StreamWriteOptions { Model = model }, Token).ToListAsync(Token);

    /// <summary>Each frame's JSON, after checking that its <c>event:</c> name repeats the <c>type</c> inside, as Anthropic's always do.</summary>
    public static List<JsonNode> Events(IEnumerable<SseFrame> frames) => frames.Select(frame =>
    {
        var json = EventStreams.Json(frame);
        Assert.Equal(frame.EventType, json["type"]!.GetValue<string>());
        return json;
    }).ToList();

    public static List<string> Types(IEnumerable<JsonNode> events) => events.Select(e => e["type"]!.GetValue<string>()).ToList();

    /// <summary>
    /// Asserts Anthropic's stream grammar: message_start first; blocks opened one at a time with
    /// indexes 0, 1, 2…, each with its deltas and one content_block_stop; message_delta then
    /// message_stop last, unless an error event ends the stream instead.
    /// </summary>
    public static void AssertGrammar(IReadOnlyList<JsonNode> events)
    {
        Assert.Equal("message_start", events[0]["type"]!.GetValue<string>());
        int? open = null;
        var next = 0;
        for (var i = 1; i < events.Count; i++)
        {
            var type = events[i]["type"]!.GetValue<string>();
            var context = $"event {i} ({type})";
            switch (type)
            {
                case "content_block_start":
                    Assert.True(open is null, $"{context}: block {open} is still open");
                    Assert.Equal(next, events[i]["index"]!.GetValue<int>());
                    open = next++;
                    break;
                case "content_block_delta":
                    Assert.True(open is not null, $"{context}: no block is open");
                    Assert.Equal(open, events[i]["index"]!.GetValue<int>());
                    break;
                case "content_block_stop":
                    Assert.Equal(open, events[i]["index"]!.GetValue<int>());
                    open = null;
                    break;
                case "message_delta":
                    Assert.True(open is null, $"{context}: block {open} is still open");
                    Assert.Equal("message_stop", events[i + 1]["type"]!.GetValue<string>());
                    Assert.Equal(events.Count, i + 2);
                    return;
                case "error":
                    Assert.Equal(events.Count, i + 1);
                    return;
                default:
                    Assert.Fail($"{context}: unexpected event");
                    break;
            }
        }

        Assert.Fail("The stream has neither message_delta/message_stop nor an error event at its end.");
    }
}
