using System.ClientModel;
using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;
using OpenAI.Responses;

namespace Switchyard.Tests.Infrastructure;

/// <summary>Reads a Responses event stream the way the official SDK or a raw HTTP client does.</summary>
public static class ResponsesEvents
{
    /// <summary>Every update of an SDK stream, in order.</summary>
    public static async Task<List<StreamingResponseUpdate>> CollectAsync(Task<AsyncStreamingResult<StreamingResponseUpdate>> call)
    {
        await using var stream = await call;
        var updates = new List<StreamingResponseUpdate>();
        await foreach (var update in stream)
        {
            updates.Add(update);
        }

        return updates;
    }

    /// <summary>The JSON of each event, after checking that its <c>event:</c> name repeats the <c>type</c> inside, as OpenAI's always do.</summary>
    public static List<JsonObject> Read(IEnumerable<SseItem<string>> items) => items.Select(item =>
    {
        var json = JsonNode.Parse(item.Data)!.AsObject();
        Assert.Equal(item.EventType, (string?)json["type"]);
        return json;
    }).ToList();

    public static List<string?> Types(IEnumerable<JsonObject> events) => events.Select(e => (string?)e["type"]).ToList();
}
