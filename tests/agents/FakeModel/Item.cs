namespace Switchyard.Agents.FakeModel;

/// <summary>One entry of a conversation as the fake reads it from any dialect.</summary>
internal abstract record Item;

/// <summary>Text the user (or the agent on the user's behalf) sent.</summary>
internal sealed record UserText(string Text) : Item;

/// <summary>Text the model answered in an earlier turn.</summary>
internal sealed record AssistantText(string Text) : Item;

/// <summary>A tool call the model made in an earlier turn; <see cref="Arguments"/> is JSON for a function, free-form input for a custom tool.</summary>
internal sealed record ToolCall(string? Id, string Name, string Arguments, string? Signature) : Item;

/// <summary>What the client's tool returned for a call.</summary>
internal sealed record ToolResult(string? Id, string? Name, string Output) : Item;
