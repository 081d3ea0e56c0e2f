using System.Text.Json.Nodes;

namespace Switchyard.Agents.FakeModel;

internal enum ToolKind
{
    /// <summary>Takes JSON arguments described by <see cref="OfferedTool.Parameters"/>.</summary>
    Function,

    /// <summary>Takes free-form text (OpenAI <c>custom</c> tools, such as Codex's <c>apply_patch</c>).</summary>
    Custom,
}

/// <summary>A client tool the request offers the model.</summary>
internal sealed record OfferedTool(string Name, ToolKind Kind, JsonObject? Parameters);
