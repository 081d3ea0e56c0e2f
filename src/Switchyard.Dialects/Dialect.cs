namespace Switchyard.Dialects;

/// <summary>
/// A wire format. Client surfaces and upstream calls share this enum, so a request is a
/// passthrough exactly when its inbound dialect equals its upstream's.
/// </summary>
public enum Dialect
{
    OpenAIChat,
    OpenAIResponses,
    OpenAICompletions,
    OpenAIEmbeddings,
    OpenAIImages,
    OpenAIAudio,
    AnthropicMessages,
    GeminiGenerate,
    GeminiEmbed,

    /// <summary>AWS Bedrock Converse / ConverseStream; upstream side only.</summary>
    BedrockConverse,
}
