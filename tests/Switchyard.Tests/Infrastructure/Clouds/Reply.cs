namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>What a client made of an answer, in words every surface shares.</summary>
/// <param name="Text">The answer's text.</param>
/// <param name="Reasoning">The reasoning the surface showed (reasoning_content, a summary, thinking, thoughts); empty when none.</param>
/// <param name="Calls">Tool calls, in order.</param>
/// <param name="InputTokens">The surface's input token count.</param>
/// <param name="OutputTokens">The surface's output token count.</param>
/// <param name="Finish"><c>stop</c> or <c>tool_calls</c>, whatever the surface calls them.</param>
public sealed record Reply(string Text, string Reasoning, IReadOnlyList<ReplyCall> Calls, long InputTokens, long OutputTokens, string Finish);
