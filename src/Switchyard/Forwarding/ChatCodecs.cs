using System.Collections.Frozen;
using Switchyard.Dialects;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.OpenAI.Completions;
using Switchyard.Dialects.OpenAI.Responses;

namespace Switchyard.Forwarding;

/// <summary>The conversational codecs by dialect; an upstream is reachable by translation when its dialect is here.</summary>
public static class ChatCodecs
{
    public static FrozenDictionary<Dialect, ChatDialect> All { get; } = new Dictionary<Dialect, ChatDialect>
    {
        [Dialect.OpenAIChat] = ChatCompletionsDialect.Instance,
        [Dialect.OpenAICompletions] = CompletionsDialect.Instance,
        [Dialect.AnthropicMessages] = AnthropicMessagesDialect.Instance,
        [Dialect.GeminiGenerate] = GeminiGenerateDialect.Instance,
        [Dialect.OpenAIResponses] = OpenAIResponsesDialect.Instance,
    }.ToFrozenDictionary();
}
