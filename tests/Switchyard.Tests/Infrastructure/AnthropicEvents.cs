using System.Text.Json.Nodes;
using Anthropic;
using Anthropic.Models.Messages;

namespace Switchyard.Tests.Infrastructure;

/// <summary>Reads a stream through the official Anthropic SDK, keeping every event as the JSON the SDK parsed.</summary>
public static class AnthropicEvents
{
    public static async Task<List<JsonObject>> ReadAsync(AnthropicClient client, MessageCreateParams parameters, Action<JsonObject>? onEvent = null)
    {
        var events = new List<JsonObject>();
        await foreach (var item in client.Messages.CreateStreaming(parameters, TestContext.Current.CancellationToken))
        {
            var json = JsonNode.Parse(item.Json.GetRawText())!.AsObject();
            events.Add(json);
            onEvent?.Invoke(json);
        }

        return events;
    }

    public static List<string?> Types(IEnumerable<JsonObject> events) => events.Select(e => (string?)e["type"]).ToList();

    /// <summary>The values of one delta field (<c>text</c>, <c>partial_json</c>, <c>thinking</c>…) of the deltas of one block, in order.</summary>
    public static List<string?> Deltas(IEnumerable<JsonObject> events, int index, string field) => events
        .Where(e => (string?)e["type"] == "content_block_delta" && (int?)e["index"] == index && e["delta"]![field] is not null)
        .Select(e => (string?)e["delta"]![field])
        .ToList();
}
