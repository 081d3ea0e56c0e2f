using System.Text.Json.Nodes;

namespace Switchyard.Agents.FakeModel;

/// <summary>A model request read from any dialect: the conversation, the tools offered, and how to answer.</summary>
internal sealed record ParsedRequest(string Model, bool Stream, IReadOnlyList<Item> Items, IReadOnlyList<OfferedTool> Tools)
{
    /// <summary>The JSON schema the answer must follow (structured output), when the request asks for one.</summary>
    public JsonObject? OutputSchema { get; init; }

    /// <summary>The request as sent, for fields only one dialect's answer needs.</summary>
    public JsonObject? Body { get; init; }

    /// <summary>Whether the request asks for a JSON answer at all (a schema or plain JSON mode).</summary>
    public bool WantsJson { get; init; }
}
