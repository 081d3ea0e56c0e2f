using System.Text.Json.Nodes;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.OpenAI.Responses;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Tests.Infrastructure;

/// <summary>Runs bytes and events through the OpenAI Responses stream stages, and checks the event grammar clients rely on.</summary>
internal static class ResponsesEventStreams
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<List<StreamEvent>> ReadAsync(Stream body) =>
        await OpenAIResponsesDialect.Instance.ReadStream(LentFrames.ReadAsync(body, Token), Token).ToListAsync(Token);

    public static Task<List<StreamEvent>> ReadAsync(byte[] body) => ReadAsync(new MemoryStream(body));

    public static Task<List<StreamEvent>> ReadAsync(string body) => ReadAsync(System.Text.Encoding.UTF8.GetBytes(body));

    public static async Task<List<SseFrame>> WriteAsync(IEnumerable<StreamEvent> events, StreamWriteOptions? options = null) =>
        await OpenAIResponsesDialect.Instance.WriteStream(events.ToAsyncEnumerable(), options ?? new StreamWriteOptions { Model = "fast" }, Token).ToListAsync(Token);

    /// <summary>Each frame's JSON, after checking that its <c>event:</c> name repeats the <c>type</c> inside, as OpenAI's always do.</summary>
    public static List<JsonNode> Events(IEnumerable<SseFrame> frames) => frames.Select(frame =>
    {
        var json = EventStreams.Json(frame);
        Assert.Equal(frame.EventType, json["type"]!.GetValue<string>());
        return json;
    }).ToList();

    public static List<string> Types(IEnumerable<JsonNode> events) => events.Select(Type).ToList();

    public static string Type(JsonNode e) => e["type"]!.GetValue<string>();

    /// <summary>
    /// Asserts the Responses stream grammar and returns the terminal event's <c>response</c>:
    /// sequence numbers 0, 1, 2…; <c>response.created</c> then <c>response.in_progress</c>; every
    /// item added at the next output index and done once with the same id and index; content
    /// parts, text, argument and summary deltas only inside their open item, each <c>.done</c>
    /// repeating what its deltas added up to; <c>response.completed</c>/<c>.incomplete</c> last,
    /// carrying exactly the items done, or <c>response.failed</c> last.
    /// </summary>
    public static JsonObject AssertGrammar(IReadOnlyList<JsonNode> events)
    {
        Assert.True(events.Count >= 3, $"Only {events.Count} events.");
        for (var i = 0; i < events.Count; i++)
        {
            Assert.Equal(i, events[i]["sequence_number"]!.GetValue<int>());
        }

        Assert.Equal(["response.created", "response.in_progress"], Types(events.Take(2)));
        var created = events[0]["response"]!;
        Assert.Equal("in_progress", created["status"]!.GetValue<string>());
        Assert.Empty(created["output"]!.AsArray());
        var id = created["id"]!.GetValue<string>();
        Assert.Equal(id, events[1]["response"]!["id"]!.GetValue<string>());

        var added = new List<JsonNode>();
        var done = new Dictionary<string, JsonNode>();
        var text = new Dictionary<(string, int), string>();
        var closedParts = new HashSet<(string, int)>();
        var arguments = new Dictionary<string, string>();
        var summaries = new Dictionary<(string, int), string>();
        for (var i = 2; i < events.Count; i++)
        {
            var e = events[i];
            var type = Type(e);
            var context = $"event {i} ({type})";
            if (type is "response.completed" or "response.incomplete" or "response.failed")
            {
                Assert.True(i == events.Count - 1, $"{context} is not the last event");
                var response = e["response"]!.AsObject();
                Assert.Equal(id, response["id"]!.GetValue<string>());
                Assert.Equal(type["response.".Length..], response["status"]!.GetValue<string>());
                if (type != "response.failed")
                {
                    Assert.Equal(added.Count, done.Count);
                    JsonAssert.Equal(new JsonArray(added.Select(a => done[ItemId(a)].DeepClone()).ToArray()), response["output"]);
                    Assert.NotNull(response["usage"]);
                }
                else
                {
                    Assert.False(string.IsNullOrEmpty(response["error"]!["message"]!.GetValue<string>()));
                }

                return response;
            }

            switch (type)
            {
                case "response.output_item.added":
                    Assert.Equal(added.Count, e["output_index"]!.GetValue<int>());
                    Assert.True(added.All(a => done.ContainsKey(ItemId(a))), $"{context}: an earlier item is still open");
                    Assert.DoesNotContain(ItemId(e["item"]!), added.Select(ItemId));
                    added.Add(e["item"]!);
                    break;
                case "response.output_item.done":
                    var item = e["item"]!;
                    var index = e["output_index"]!.GetValue<int>();
                    Assert.True(index < added.Count, $"{context}: no item was added at {index}");
                    Assert.Equal(ItemId(added[index]), ItemId(item));
                    Assert.True(done.TryAdd(ItemId(item), item), $"{context}: done twice");
                    Assert.Equal(Type(added[index]), Type(item));
                    AssertItemDone(item, text, closedParts, arguments, summaries, context);
                    break;
                case "response.content_part.added":
                    var (partItem, contentIndex) = OpenPart(e, added, done, context);
                    Assert.Equal("message", Type(partItem));
                    Assert.Equal(text.Keys.Count(k => k.Item1 == ItemId(partItem)), contentIndex);
                    Assert.Equal(string.Empty, e["part"]!["text"]?.GetValue<string>() ?? e["part"]!["refusal"]!.GetValue<string>());
                    text[(ItemId(partItem), contentIndex)] = string.Empty;
                    break;
                case "response.output_text.delta" or "response.refusal.delta":
                    var key = TextKey(e, added, done, text, closedParts, context);
                    text[key] += e["delta"]!.GetValue<string>();
                    break;
                case "response.output_text.done":
                    Assert.Equal(text[TextKey(e, added, done, text, closedParts, context)], e["text"]!.GetValue<string>());
                    break;
                case "response.refusal.done":
                    Assert.Equal(text[TextKey(e, added, done, text, closedParts, context)], e["refusal"]!.GetValue<string>());
                    break;
                case "response.content_part.done":
                    var closing = TextKey(e, added, done, text, closedParts, context);
                    Assert.Equal(text[closing], e["part"]!["text"]?.GetValue<string>() ?? e["part"]!["refusal"]!.GetValue<string>());
                    closedParts.Add(closing);
                    break;
                case "response.function_call_arguments.delta":
                    var call = ItemId(OpenItem(e, added, done, "function_call", context));
                    arguments[call] = arguments.GetValueOrDefault(call, string.Empty) + e["delta"]!.GetValue<string>();
                    break;
                case "response.function_call_arguments.done":
                    var finished = OpenItem(e, added, done, "function_call", context);
                    Assert.Equal(arguments.GetValueOrDefault(ItemId(finished), string.Empty), e["arguments"]!.GetValue<string>());
                    arguments[ItemId(finished)] = e["arguments"]!.GetValue<string>();
                    break;
                case "response.reasoning_summary_part.added":
                    var thought = ItemId(OpenItem(e, added, done, "reasoning", context));
                    Assert.True(summaries.TryAdd((thought, e["summary_index"]!.GetValue<int>()), string.Empty), $"{context}: summary part added twice");
                    break;
                case "response.reasoning_summary_text.delta":
                    var summaryKey = (ItemId(OpenItem(e, added, done, "reasoning", context)), e["summary_index"]!.GetValue<int>());
                    Assert.True(summaries.ContainsKey(summaryKey), $"{context}: summary part not added");
                    summaries[summaryKey] += e["delta"]!.GetValue<string>();
                    break;
                case "response.reasoning_summary_text.done" or "response.reasoning_summary_part.done":
                    var doneKey = (ItemId(OpenItem(e, added, done, "reasoning", context)), e["summary_index"]!.GetValue<int>());
                    Assert.Equal(summaries[doneKey], e["text"]?.GetValue<string>() ?? e["part"]!["text"]!.GetValue<string>());
                    break;
                default:
                    Assert.Fail($"{context}: not an event of the Responses grammar");
                    break;
            }
        }

        Assert.Fail("The stream ends without response.completed, response.incomplete or response.failed.");
        return null!;
    }

    public static string ItemId(JsonNode item) => item["id"]!.GetValue<string>();

    private static void AssertItemDone(
        JsonNode item,
        Dictionary<(string, int), string> text,
        HashSet<(string, int)> closedParts,
        Dictionary<string, string> arguments,
        Dictionary<(string, int), string> summaries,
        string context)
    {
        var id = ItemId(item);
        switch (Type(item))
        {
            case "message":
                var content = item["content"]!.AsArray();
                var parts = text.Keys.Where(k => k.Item1 == id).OrderBy(k => k.Item2).ToList();
                Assert.Equal(parts.Count, content.Count);
                Assert.True(parts.All(closedParts.Contains), $"{context}: a content part is still open");
                Assert.Equal(parts.Select(p => text[p]), content.Select(c => c!["text"]?.GetValue<string>() ?? c!["refusal"]!.GetValue<string>()));
                Assert.Equal("assistant", item["role"]!.GetValue<string>());
                Assert.Contains(item["status"]!.GetValue<string>(), new[] { "completed", "incomplete" });
                break;
            case "function_call":
                Assert.True(arguments.ContainsKey(id), $"{context}: no function_call_arguments.done");
                Assert.Equal(arguments[id], item["arguments"]!.GetValue<string>());
                Assert.Equal("completed", item["status"]!.GetValue<string>());
                Assert.False(string.IsNullOrEmpty(item["call_id"]!.GetValue<string>()));
                break;
            case "reasoning":
                var summary = item["summary"]!.AsArray().Select(s => s!["text"]!.GetValue<string>()).ToList();
                Assert.Equal(summaries.Where(s => s.Key.Item1 == id).OrderBy(s => s.Key.Item2).Select(s => s.Value).Where(s => s.Length > 0), summary);
                break;
            default:
                Assert.Fail($"{context}: unexpected item type {Type(item)}");
                break;
        }
    }

    private static JsonNode OpenItem(JsonNode e, List<JsonNode> added, Dictionary<string, JsonNode> done, string type, string context)
    {
        var index = e["output_index"]!.GetValue<int>();
        Assert.True(index < added.Count, $"{context}: no item at {index}");
        var item = added[index];
        Assert.Equal(ItemId(item), e["item_id"]!.GetValue<string>());
        Assert.False(done.ContainsKey(ItemId(item)), $"{context}: item {ItemId(item)} is already done");
        Assert.Equal(type, Type(item));
        return item;
    }

    private static (JsonNode Item, int ContentIndex) OpenPart(JsonNode e, List<JsonNode> added, Dictionary<string, JsonNode> done, string context) =>
        (OpenItem(e, added, done, "message", context), e["content_index"]!.GetValue<int>());

    private static (string, int) TextKey(JsonNode e, List<JsonNode> added, Dictionary<string, JsonNode> done, Dictionary<(string, int), string> text, HashSet<(string, int)> closedParts, string context)
    {
        var (item, contentIndex) = OpenPart(e, added, done, context);
        var key = (ItemId(item), contentIndex);
        Assert.True(text.ContainsKey(key), $"{context}: content part {contentIndex} was not added");
        Assert.False(closedParts.Contains(key), $"{context}: content part {contentIndex} is already done");
        return key;
    }
}
