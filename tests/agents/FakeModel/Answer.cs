namespace Switchyard.Agents.FakeModel;

/// <summary>What the fake model answers.</summary>
internal abstract record Answer;

internal sealed record TextAnswer(string Text) : Answer;

/// <summary>A call of <see cref="Tool"/>; <see cref="Arguments"/> is JSON for a function, free-form input for a custom tool.</summary>
internal sealed record ToolCallAnswer(OfferedTool Tool, string CallId, string Arguments) : Answer;
