using Switchyard.Dialects.Canonical;

namespace Switchyard.Dialects.Models;

/// <summary>
/// Claude's rules for extended thinking (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking):
/// rules of the model family, which hold whichever API serves it (Messages on Anthropic or Vertex, Bedrock Converse).
/// </summary>
internal static class ClaudeThinking
{
    /// <summary>The budget the client asked for, in tokens, or null when it did not ask for thinking.</summary>
    public static int? WantedBudget(ChatRequest request) =>
        request.Reasoning is { Disabled: false } reasoning ? reasoning.BudgetTokens ?? ReasoningBudget.ToBudget(reasoning.Effort) : null;

    /// <summary>The budget to send, or null with the reason recorded in the request's adjustments.</summary>
    /// <param name="request">The request.</param>
    /// <param name="maxTokens">The max_tokens that will be sent.</param>
    /// <param name="forcedTool">True when a tool call is forced.</param>
    /// <param name="returnable">Whether this upstream accepts a reasoning part back (it signed it, or it is redacted).</param>
    public static int? Budget(ChatRequest request, int maxTokens, bool forcedTool, Func<ReasoningPart, bool> returnable)
    {
        if (WantedBudget(request) is not int budget)
        {
            return null;
        }

        // Mid tool loop, the last assistant turn must start with its own signed thinking; a client
        // that did not keep it (plain OpenAI clients) cannot have thinking on.
        if (LastAssistantTurnLacksThinking(request.Messages, returnable))
        {
            request.Adjustments.Dropped("reasoning_effort", "the previous assistant turn carries no signed thinking to continue from");
            return null;
        }

        // Thinking is refused with a forced tool choice, and needs 1024 <= budget < max_tokens.
        if (forcedTool)
        {
            request.Adjustments.Dropped("reasoning_effort", "Anthropic does not allow thinking with a forced tool choice");
            return null;
        }

        if (maxTokens <= ReasoningBudget.Low)
        {
            request.Adjustments.Dropped("reasoning_effort", "max_tokens leaves no room for a thinking budget");
            return null;
        }

        return ReasoningBudget.FitBelow(budget, maxTokens);
    }

    private static bool LastAssistantTurnLacksThinking(List<ChatMessage> messages, Func<ReasoningPart, bool> returnable)
    {
        var lastAssistant = messages.FindLastIndex(m => m.Role == Role.Assistant);
        if (lastAssistant < 0 || !messages[lastAssistant].Parts.Any(p => p is ToolCallPart))
        {
            return false;
        }

        // Only an open tool loop (results after the calls, no new user text) continues that turn.
        var after = messages.Skip(lastAssistant + 1).ToList();
        var openLoop = after.Count > 0 && after.All(m => m.Parts.All(p => p is ToolResultPart));
        return openLoop && !messages[lastAssistant].Parts.Any(p => p is ReasoningPart reasoning && returnable(reasoning));
    }
}
