using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.OpenAI;

namespace Switchyard.Dialects;

/// <summary>The media URL reader of each dialect whose requests can carry media by URL.</summary>
public static class MediaUrlReaders
{
    public static IMediaUrlReader? For(Dialect dialect) => dialect switch
    {
        // vLLM's OpenAI server takes images, audio and video by URL on chat, responses and embeddings.
        Dialect.OpenAIChat or Dialect.OpenAIResponses or Dialect.OpenAIEmbeddings => OpenAIMediaUrls.Instance,
        Dialect.AnthropicMessages => MessagesMediaUrls.Instance,
        Dialect.GeminiGenerate or Dialect.GeminiEmbed => GenerateContentMediaUrls.Instance,
        _ => null,
    };
}
