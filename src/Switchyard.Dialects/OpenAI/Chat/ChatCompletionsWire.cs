using System.Text.Json;
using System.Text.Json.Serialization;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.OpenAI.Chat;

// Mirrors https://platform.openai.com/docs/api-reference/chat field for field; unknown fields
// survive in ExtensionData. Behaviour lives in ChatCompletionsMapping.
#pragma warning disable CA1002, CA2227 // wire DTOs: mutable lists are what the serializer fills.

internal sealed class ChatCompletionRequestWire
{
    public string? Model { get; set; }

    public List<ChatMessageWire>? Messages { get; set; }

    public List<ChatToolWire>? Tools { get; set; }

    public JsonElement? ToolChoice { get; set; }

    public bool? ParallelToolCalls { get; set; }

    public ResponseFormatWire? ResponseFormat { get; set; }

    public string? ReasoningEffort { get; set; }

    public int? MaxTokens { get; set; }

    public int? MaxCompletionTokens { get; set; }

    public double? Temperature { get; set; }

    public double? TopP { get; set; }

    public double? PresencePenalty { get; set; }

    public double? FrequencyPenalty { get; set; }

    public long? Seed { get; set; }

    public JsonElement? Stop { get; set; }

    public int? N { get; set; }

    public bool? Stream { get; set; }

    public StreamOptionsWire? StreamOptions { get; set; }

    public string? User { get; set; }

    public JsonElement? Metadata { get; set; }

    public bool? Store { get; set; }

    public string? ServiceTier { get; set; }

    public bool? StrictParams { get; set; }

    /// <summary>Asks the model to search the web (search models only).</summary>
    public WebSearchOptionsWire? WebSearchOptions { get; set; }

    public string? PromptCacheKey { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class WebSearchOptionsWire
{
    /// <summary>low, medium or high.</summary>
    public string? SearchContextSize { get; set; }

    public ChatUserLocationWire? UserLocation { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class ChatUserLocationWire
{
    /// <summary>approximate.</summary>
    public string? Type { get; set; }

    public ApproximateLocationWire? Approximate { get; set; }
}

internal sealed class ApproximateLocationWire
{
    public string? City { get; set; }

    public string? Region { get; set; }

    public string? Country { get; set; }

    public string? Timezone { get; set; }
}

/// <summary>A message annotation; for web search, <c>{"type":"url_citation","url_citation":{…}}</c>.</summary>
internal sealed class ChatAnnotationWire
{
    public string? Type { get; set; }

    public UrlCitationWire? UrlCitation { get; set; }
}

internal sealed class UrlCitationWire
{
    public int? StartIndex { get; set; }

    public int? EndIndex { get; set; }

    public string? Url { get; set; }

    public string? Title { get; set; }
}

internal sealed class StreamOptionsWire
{
    public bool? IncludeUsage { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class ChatMessageWire
{
    public string? Role { get; set; }

    /// <summary>A string, an array of content parts, or null.</summary>
    public TextOrJson? Content { get; set; }

    public string? Name { get; set; }

    public List<ToolCallWire>? ToolCalls { get; set; }

    public string? ToolCallId { get; set; }

    /// <summary>Reasoning text as DeepSeek, vLLM and most OpenAI-compatible servers carry it.</summary>
    public string? ReasoningContent { get; set; }

    public string? Refusal { get; set; }

    /// <summary>
    /// Signed reasoning, in the shape LiteLLM established for OpenAI-compatible clients: returned
    /// with the assistant message so the client can send it back and an Anthropic or Gemini upstream
    /// gets its signatures on the next turn.
    /// </summary>
    public List<ThinkingBlockWire>? ThinkingBlocks { get; set; }

    /// <summary>Assistant messages: url_citation annotations from web search.</summary>
    public List<ChatAnnotationWire>? Annotations { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class ThinkingBlockWire
{
    /// <summary>thinking or redacted_thinking.</summary>
    public string? Type { get; set; }

    public string? Thinking { get; set; }

    public string? Signature { get; set; }

    public string? Data { get; set; }
}

internal sealed class ContentPartWire
{
    public string? Type { get; set; }

    public string? Text { get; set; }

    public ImageUrlWire? ImageUrl { get; set; }

    public FileWire? File { get; set; }

    public string? Refusal { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class ImageUrlWire
{
    public string? Url { get; set; }

    public string? Detail { get; set; }
}

internal sealed class FileWire
{
    public string? FileData { get; set; }

    public string? FileId { get; set; }

    public string? Filename { get; set; }
}

internal sealed class ToolCallWire
{
    /// <summary>Only in stream deltas: which tool call this fragment belongs to.</summary>
    public int? Index { get; set; }

    public string? Id { get; set; }

    public string? Type { get; set; }

    public FunctionCallWire? Function { get; set; }

    /// <summary>A call of a custom (free-form) tool.</summary>
    public CustomCallWire? Custom { get; set; }
}

internal sealed class CustomCallWire
{
    public string? Name { get; set; }

    public string? Input { get; set; }
}

internal sealed class FunctionCallWire
{
    public string? Name { get; set; }

    public string? Arguments { get; set; }
}

internal sealed class ChatToolWire
{
    /// <summary>function or custom.</summary>
    public string? Type { get; set; }

    public FunctionDefinitionWire? Function { get; set; }

    public CustomToolWire? Custom { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class CustomToolWire
{
    public string? Name { get; set; }

    public string? Description { get; set; }

    /// <summary><c>{"type":"text"}</c> or <c>{"type":"grammar","grammar":{"definition":…,"syntax":…}}</c>.</summary>
    public CustomToolFormatWire? Format { get; set; }
}

internal sealed class CustomToolFormatWire
{
    public string? Type { get; set; }

    public GrammarWire? Grammar { get; set; }
}

internal sealed class GrammarWire
{
    public string? Definition { get; set; }

    /// <summary>lark or regex.</summary>
    public string? Syntax { get; set; }
}

internal sealed class FunctionDefinitionWire
{
    public string? Name { get; set; }

    public string? Description { get; set; }

    public JsonElement? Parameters { get; set; }

    public bool? Strict { get; set; }
}

internal sealed class ResponseFormatWire
{
    public string? Type { get; set; }

    public JsonSchemaWire? JsonSchema { get; set; }
}

internal sealed class JsonSchemaWire
{
    public string? Name { get; set; }

    public string? Description { get; set; }

    public JsonElement? Schema { get; set; }

    public bool? Strict { get; set; }
}

internal sealed class ChatCompletionWire
{
    public string? Id { get; set; }

    public string? Object { get; set; }

    public long Created { get; set; }

    public string? Model { get; set; }

    public List<ChoiceWire>? Choices { get; set; }

    public UsageWire? Usage { get; set; }

    public string? SystemFingerprint { get; set; }

    public JsonElement? Metadata { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class ChoiceWire
{
    public int Index { get; set; }

    public ChatMessageWire? Message { get; set; }

    /// <summary>Only in stream chunks.</summary>
    public ChatMessageWire? Delta { get; set; }

    public JsonElement? Logprobs { get; set; }

    public string? FinishReason { get; set; }
}

internal sealed class UsageWire
{
    public long PromptTokens { get; set; }

    public long CompletionTokens { get; set; }

    public long TotalTokens { get; set; }

    public PromptTokensDetailsWire? PromptTokensDetails { get; set; }

    public CompletionTokensDetailsWire? CompletionTokensDetails { get; set; }

    /// <summary>Switchyard's addition: the request's cost in credits, where the model has pricing.</summary>
    public decimal? Cost { get; set; }
}

internal sealed class PromptTokensDetailsWire
{
    public long? CachedTokens { get; set; }

    /// <summary>Not OpenAI's: some compatible servers report cache writes here.</summary>
    public long? CacheCreationTokens { get; set; }
}

internal sealed class CompletionTokensDetailsWire
{
    public long? ReasoningTokens { get; set; }
}

internal sealed class OpenAIErrorEnvelopeWire
{
    public OpenAIErrorWire? Error { get; set; }
}

internal sealed class OpenAIErrorWire
{
    public string? Message { get; set; }

    public string? Type { get; set; }

    public string? Param { get; set; }

    /// <summary>A string in OpenAI's answers; some compatible servers send a number.</summary>
    public JsonElement? Code { get; set; }
}

/// <summary>
/// A <c>chat.completion.chunk</c> as the stream reader reads it (<see cref="ChatChunkParser"/>), once
/// per frame: only the fields it turns into events. Unlike <see cref="ChatCompletionWire"/> it keeps no bag of unknown fields and
/// no <see cref="JsonElement"/> for the content, each of which cost a parsed document per chunk;
/// fields it does not read are skipped, whatever their type. <see cref="ChatChunkParser"/> reuses a
/// stream's instances of these three types: a property added to one is cleared there too.
/// </summary>
internal sealed class ChatChunkWire
{
    public string? Id { get; set; }

    public long Created { get; set; }

    public string? Model { get; set; }

    public List<ChatChunkChoiceWire?>? Choices { get; set; }

    public UsageWire? Usage { get; set; }

    /// <summary>An error in place of a chunk: OpenAI-compatible servers send one mid-stream.</summary>
    public JsonElement? Error { get; set; }
}

internal sealed class ChatChunkChoiceWire
{
    public ChatChunkDeltaWire? Delta { get; set; }

    public string? FinishReason { get; set; }
}

internal sealed class ChatChunkDeltaWire
{
    /// <summary>The text, when it is a string; any other value carries nothing the reader uses.</summary>
    [JsonConverter(typeof(StringOrNothingConverter))]
    public string? Content { get; set; }

    public List<ToolCallWire>? ToolCalls { get; set; }

    /// <summary>Reasoning text as DeepSeek, vLLM and most OpenAI-compatible servers carry it.</summary>
    public string? ReasoningContent { get; set; }

    public string? Refusal { get; set; }

    /// <summary>url_citation annotations from web search.</summary>
    public List<ChatAnnotationWire>? Annotations { get; set; }
}

/// <summary>A string value, or null for a value of any other type (skipped, not refused).</summary>
internal sealed class StringOrNothingConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
