using System.Text.Json.Nodes;

namespace Switchyard.Agents.FakeModel;

/// <summary>
/// Every request the fake received, one JSON object a line: where it came in, how it was read
/// (the conversation and tools), what was answered or why it was refused, and the body as sent.
/// </summary>
internal sealed class RequestLog(string path)
{
    private readonly Lock _lock = new();
    private int _sequence;

    public void Append(JsonObject entry)
    {
        lock (_lock)
        {
            entry["seq"] = ++_sequence;
            File.AppendAllText(path, entry.ToJsonString() + "\n");
        }
    }

    public static IEnumerable<JsonObject> Read(string path) =>
        File.Exists(path)
            ? File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject())
            : [];

    public static JsonObject ToJson(Item item) => item switch
    {
        UserText user => new JsonObject { ["kind"] = "user", ["text"] = user.Text },
        AssistantText assistant => new JsonObject { ["kind"] = "assistant", ["text"] = assistant.Text },
        ToolCall call => new JsonObject { ["kind"] = "tool_call", ["id"] = call.Id, ["name"] = call.Name, ["arguments"] = call.Arguments, ["signature"] = call.Signature },
        ToolResult result => new JsonObject { ["kind"] = "tool_result", ["id"] = result.Id, ["name"] = result.Name, ["output"] = result.Output },
        _ => throw new InvalidOperationException(),
    };

    public static Item FromJson(JsonObject json)
    {
        string? Field(string name) => json[name]?.GetValue<string>();
        return Field("kind") switch
        {
            "user" => new UserText(Field("text") ?? ""),
            "assistant" => new AssistantText(Field("text") ?? ""),
            "tool_call" => new ToolCall(Field("id"), Field("name") ?? "", Field("arguments") ?? "", Field("signature")),
            _ => new ToolResult(Field("id"), Field("name"), Field("output") ?? ""),
        };
    }
}
