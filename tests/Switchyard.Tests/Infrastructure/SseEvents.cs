using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;

namespace Switchyard.Tests.Infrastructure;

/// <summary>Reads an SSE response the way a client does: every event's data, in order.</summary>
public static class SseEvents
{
    public static async Task<List<string>> ReadDataAsync(HttpResponseMessage response)
    {
        await using var stream = await response.Content.ReadAsStreamAsync();
        var data = new List<string>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync())
        {
            data.Add(item.Data);
        }

        return data;
    }

    /// <summary>Every event with its type, for grammars that name their events (Anthropic).</summary>
    public static async Task<List<SseItem<string>>> ReadItemsAsync(HttpResponseMessage response)
    {
        await using var stream = await response.Content.ReadAsStreamAsync();
        var items = new List<SseItem<string>>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync())
        {
            items.Add(item);
        }

        return items;
    }

    /// <summary>The JSON chunks of a stream, leaving out the final <c>[DONE]</c>.</summary>
    public static List<JsonObject> Chunks(IEnumerable<string> data) =>
        data.Where(d => d != "[DONE]").Select(d => JsonNode.Parse(d)!.AsObject()).ToList();
}
