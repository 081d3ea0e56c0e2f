using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Anthropic;

// Mirrors https://docs.anthropic.com/en/api/messages field for field; unknown fields survive in
// ExtensionData. Content blocks of every type share one flat class, keyed by Type, because the
// wire is one discriminated union and most fields are optional.
#pragma warning disable CA1002, CA2227 // wire DTOs: mutable lists are what the serializer fills.

internal sealed class MessagesRequestWire
{
    public string? Model { get; set; }

    public int? MaxTokens { get; set; }

    public List<MessageWire>? Messages { get; set; }

    /// <summary>A string or an array of text blocks.</summary>
    public TextOrBlocks? System { get; set; }

    public MetadataWire? Metadata { get; set; }

    public List<string>? StopSequences { get; set; }

    public bool? Stream { get; set; }

    public double? Temperature { get; set; }

    public double? TopP { get; set; }

    public int? TopK { get; set; }

    public List<ToolWire>? Tools { get; set; }

    public ToolChoiceWire? ToolChoice { get; set; }

    public ThinkingWire? Thinking { get; set; }

    /// <summary>Structured outputs (<c>{"type":"json_schema","schema":{…}}</c>), as the beta sent it; now <c>output_config.format</c>.</summary>
    public OutputFormatWire? OutputFormat { get; set; }

    public OutputConfigWire? OutputConfig { get; set; }

    public bool? StrictParams { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class MessageWire
{
    public string? Role { get; set; }

    /// <summary>A string or an array of content blocks.</summary>
    public TextOrBlocks? Content { get; set; }
}

/// <summary>
/// A <c>content</c> (or <c>system</c>): a string or an array of content blocks, read straight from
/// the body. Most of an agent's request is here; read as a <see cref="JsonElement"/> and then as
/// blocks, its bytes were copied twice and parsed three times.
/// </summary>
[JsonConverter(typeof(TextOrBlocksConverter))]
internal sealed class TextOrBlocks
{
    /// <summary>String, Array, or the other kind the body held there (which the mapping refuses).</summary>
    public JsonValueKind Kind { get; init; }

    public string? Text { get; init; }

    /// <summary>The blocks; the serializer lets JSON null in as an element.</summary>
    public List<ContentBlockWire>? Blocks { get; init; }
}

internal sealed class TextOrBlocksConverter : JsonConverter<TextOrBlocks>
{
    public override TextOrBlocks Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return new TextOrBlocks { Kind = JsonValueKind.String, Text = reader.GetString() };
            case JsonTokenType.StartArray:
                try
                {
                    return new TextOrBlocks { Kind = JsonValueKind.Array, Blocks = JsonSerializer.Deserialize(ref reader, BlocksType(options)) ?? [] };
                }
                catch (JsonException exception)
                {
                    throw JsonErrors.Nested(exception);
                }

            default:
                var kind = reader.TokenType switch
                {
                    JsonTokenType.StartObject => JsonValueKind.Object,
                    JsonTokenType.Number => JsonValueKind.Number,
                    JsonTokenType.True => JsonValueKind.True,
                    JsonTokenType.False => JsonValueKind.False,
                    _ => JsonValueKind.Undefined,
                };
                reader.Skip();
                return new TextOrBlocks { Kind = kind };
        }
    }

    public override void Write(Utf8JsonWriter writer, TextOrBlocks value, JsonSerializerOptions options)
    {
        if (value.Blocks is { } blocks)
        {
            JsonSerializer.Serialize(writer, blocks, BlocksType(options));
        }
        else if (value.Text is { } text)
        {
            writer.WriteStringValue(text);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static JsonTypeInfo<List<ContentBlockWire>> BlocksType(JsonSerializerOptions options) =>
        (JsonTypeInfo<List<ContentBlockWire>>)options.GetTypeInfo(typeof(List<ContentBlockWire>));
}

internal sealed class ContentBlockWire
{
    public string? Type { get; set; }

    public string? Text { get; set; }

    public JsonElement? CacheControl { get; set; }

    public JsonElement? Citations { get; set; }

    public SourceWire? Source { get; set; }

    public string? Title { get; set; }

    public string? Context { get; set; }

    /// <summary>tool_use / server_tool_use.</summary>
    public string? Id { get; set; }

    public string? Name { get; set; }

    public JsonElement? Input { get; set; }

    /// <summary>tool_result.</summary>
    public string? ToolUseId { get; set; }

    /// <summary>tool_result: a string or an array of text/image blocks; a server tool's result: its results or error.</summary>
    public TextOrJson? Content { get; set; }

    public bool? IsError { get; set; }

    /// <summary>thinking.</summary>
    public string? Thinking { get; set; }

    public string? Signature { get; set; }

    /// <summary>redacted_thinking.</summary>
    public string? Data { get; set; }

    /// <summary>tool_reference: the deferred tool a tool search result names.</summary>
    public string? ToolName { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class SourceWire
{
    /// <summary>base64, url, text or content.</summary>
    public string? Type { get; set; }

    public string? MediaType { get; set; }

    public string? Data { get; set; }

    public string? Url { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class MetadataWire
{
    public string? UserId { get; set; }
}

internal sealed class ToolWire
{
    /// <summary>Absent (or "custom") for client tools; a versioned name such as web_search_20250305 for server tools.</summary>
    public string? Type { get; set; }

    public string? Name { get; set; }

    public string? Description { get; set; }

    public JsonElement? InputSchema { get; set; }

    public JsonElement? CacheControl { get; set; }

    public bool? DeferLoading { get; set; }

    /// <summary>web_search_*: the most searches per answer.</summary>
    public int? MaxUses { get; set; }

    public List<string>? AllowedDomains { get; set; }

    public List<string>? BlockedDomains { get; set; }

    public UserLocationWire? UserLocation { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class UserLocationWire
{
    /// <summary>approximate.</summary>
    public string? Type { get; set; }

    public string? City { get; set; }

    public string? Region { get; set; }

    public string? Country { get; set; }

    public string? Timezone { get; set; }
}

/// <summary>A text block's citation; for web search, <c>web_search_result_location</c>.</summary>
internal sealed class CitationWire
{
    public string? Type { get; set; }

    public string? Url { get; set; }

    public string? Title { get; set; }

    public string? EncryptedIndex { get; set; }

    public string? CitedText { get; set; }
}

/// <summary>One entry of a web_search_tool_result's content.</summary>
internal sealed class WebSearchResultWire
{
    /// <summary>web_search_result.</summary>
    public string? Type { get; set; }

    public string? Url { get; set; }

    public string? Title { get; set; }

    public string? EncryptedContent { get; set; }

    public string? PageAge { get; set; }

    /// <summary>web_search_tool_result_error: why the search failed.</summary>
    public string? ErrorCode { get; set; }
}

internal sealed class ToolChoiceWire
{
    /// <summary>auto, any, tool or none.</summary>
    public string? Type { get; set; }

    public string? Name { get; set; }

    public bool? DisableParallelToolUse { get; set; }
}

internal sealed class ThinkingWire
{
    /// <summary>enabled, disabled or adaptive.</summary>
    public string? Type { get; set; }

    public int? BudgetTokens { get; set; }
}

internal sealed class OutputConfigWire
{
    /// <summary>Structured outputs (<c>{"type":"json_schema","schema":{…}}</c>).</summary>
    public OutputFormatWire? Format { get; set; }

    /// <summary>low, medium, high, xhigh or max: how much the model may spend, thinking included.</summary>
    public string? Effort { get; set; }
}

internal sealed class OutputFormatWire
{
    public string? Type { get; set; }

    public JsonElement? Schema { get; set; }
}

internal sealed class MessageResponseWire
{
    public string? Id { get; set; }

    public string? Type { get; set; }

    public string? Role { get; set; }

    public string? Model { get; set; }

    public List<ContentBlockWire>? Content { get; set; }

    public string? StopReason { get; set; }

    public string? StopSequence { get; set; }

    public UsageWire? Usage { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class UsageWire
{
    public long? InputTokens { get; set; }

    public long? OutputTokens { get; set; }

    public long? CacheCreationInputTokens { get; set; }

    public long? CacheReadInputTokens { get; set; }

    /// <summary>Server tools the upstream ran, billed per call (web search).</summary>
    public ServerToolUseWire? ServerToolUse { get; set; }

    /// <summary>Switchyard's addition: the cost in credits, where the model has pricing.</summary>
    public decimal? Cost { get; set; }
}

internal sealed class ServerToolUseWire
{
    public long? WebSearchRequests { get; set; }
}

/// <summary>One stream event; which fields are set depends on <see cref="Type"/>.</summary>
internal sealed class StreamEventWire
{
    public string? Type { get; set; }

    public MessageResponseWire? Message { get; set; }

    public int? Index { get; set; }

    public ContentBlockWire? ContentBlock { get; set; }

    public DeltaWire? Delta { get; set; }

    public UsageWire? Usage { get; set; }

    public ErrorWire? Error { get; set; }
}

internal sealed class DeltaWire
{
    public string? Type { get; set; }

    public string? Text { get; set; }

    public string? PartialJson { get; set; }

    public string? Thinking { get; set; }

    public string? Signature { get; set; }

    /// <summary>citations_delta.</summary>
    public CitationWire? Citation { get; set; }

    public string? StopReason { get; set; }

    public string? StopSequence { get; set; }
}

internal sealed class ErrorEnvelopeWire
{
    public string? Type { get; set; }

    public ErrorWire? Error { get; set; }
}

internal sealed class ErrorWire
{
    public string? Type { get; set; }

    public string? Message { get; set; }
}

internal sealed class CountTokensResponseWire
{
    public long InputTokens { get; set; }
}
