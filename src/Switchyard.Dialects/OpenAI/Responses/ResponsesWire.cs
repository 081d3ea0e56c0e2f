using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchyard.Dialects.OpenAI.Responses;

// Mirrors https://platform.openai.com/docs/api-reference/responses field for field; unknown fields
// survive in ExtensionData. Items of every type share one flat class keyed by Type, as the wire is
// one discriminated union with mostly optional fields.
#pragma warning disable CA1002, CA2227 // wire DTOs: mutable lists are what the serializer fills.

internal sealed class ResponsesRequestWire
{
    public string? Model { get; set; }

    /// <summary>A string or an array of input items.</summary>
    public JsonElement? Input { get; set; }

    public string? Instructions { get; set; }

    public List<ResponsesToolWire>? Tools { get; set; }

    public JsonElement? ToolChoice { get; set; }

    public bool? ParallelToolCalls { get; set; }

    public TextConfigWire? Text { get; set; }

    public ReasoningConfigWire? Reasoning { get; set; }

    public int? MaxOutputTokens { get; set; }

    public double? Temperature { get; set; }

    public double? TopP { get; set; }

    public JsonElement? Metadata { get; set; }

    public List<string>? Include { get; set; }

    public bool? Store { get; set; }

    public bool? Stream { get; set; }

    public string? PreviousResponseId { get; set; }

    public string? User { get; set; }

    public bool? StrictParams { get; set; }

    public string? PromptCacheKey { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class ItemWire
{
    /// <summary>message (may be omitted for role/content items), function_call, function_call_output, reasoning, item_reference.</summary>
    public string? Type { get; set; }

    public string? Id { get; set; }

    public string? Role { get; set; }

    /// <summary>message: a string or an array of content parts.</summary>
    public JsonElement? Content { get; set; }

    public string? Status { get; set; }

    public string? CallId { get; set; }

    public string? Name { get; set; }

    public string? Arguments { get; set; }

    /// <summary>function_call and custom_tool_call: the namespace of the called tool.</summary>
    public string? Namespace { get; set; }

    /// <summary>custom_tool_call: the free-form input.</summary>
    public string? Input { get; set; }

    /// <summary>web_search_call: what the search did (<c>{"type":"search","query":…,"sources":[…]}</c>).</summary>
    public JsonElement? Action { get; set; }

    /// <summary>function_call_output: a string or an array of content parts.</summary>
    public JsonElement? Output { get; set; }

    public List<SummaryWire>? Summary { get; set; }

    public string? EncryptedContent { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class ResponsesContentWire
{
    /// <summary>input_text, input_image, input_file, output_text, refusal.</summary>
    public string? Type { get; set; }

    public string? Text { get; set; }

    public string? ImageUrl { get; set; }

    public string? Detail { get; set; }

    public string? FileData { get; set; }

    public string? FileUrl { get; set; }

    public string? Filename { get; set; }

    public string? Refusal { get; set; }

    /// <summary>output_text: url_citation and other annotations.</summary>
    public List<AnnotationWire>? Annotations { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class AnnotationWire
{
    /// <summary>url_citation, file_citation, …</summary>
    public string? Type { get; set; }

    public string? Url { get; set; }

    public string? Title { get; set; }

    public int? StartIndex { get; set; }

    public int? EndIndex { get; set; }
}

internal sealed class SummaryWire
{
    public string? Type { get; set; }

    public string? Text { get; set; }
}

internal sealed class ResponsesToolWire
{
    /// <summary>function, custom, namespace, or a hosted tool type such as web_search.</summary>
    public string? Type { get; set; }

    public string? Name { get; set; }

    public string? Description { get; set; }

    public JsonElement? Parameters { get; set; }

    public bool? Strict { get; set; }

    /// <summary>custom: <c>{"type":"text"}</c> or <c>{"type":"grammar","syntax":…,"definition":…}</c>.</summary>
    public CustomFormatWire? Format { get; set; }

    /// <summary>namespace: the function and custom tools in the group.</summary>
    public List<ResponsesToolWire>? Tools { get; set; }

    public bool? DeferLoading { get; set; }

    /// <summary>web_search: false for the cache-only mode.</summary>
    public bool? ExternalWebAccess { get; set; }

    public WebSearchFiltersWire? Filters { get; set; }

    public UserLocationWire? UserLocation { get; set; }

    public string? SearchContextSize { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class CustomFormatWire
{
    /// <summary>text or grammar.</summary>
    public string? Type { get; set; }

    /// <summary>lark or regex.</summary>
    public string? Syntax { get; set; }

    public string? Definition { get; set; }
}

internal sealed class WebSearchFiltersWire
{
    public List<string>? AllowedDomains { get; set; }
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

internal sealed class TextConfigWire
{
    public FormatWire? Format { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class FormatWire
{
    public string? Type { get; set; }

    public string? Name { get; set; }

    public string? Description { get; set; }

    public JsonElement? Schema { get; set; }

    public bool? Strict { get; set; }
}

internal sealed class ReasoningConfigWire
{
    public string? Effort { get; set; }

    public string? Summary { get; set; }
}

internal sealed class ResponseObjectWire
{
    public string? Id { get; set; }

    public string? Object { get; set; }

    public long CreatedAt { get; set; }

    public string? Status { get; set; }

    public string? Model { get; set; }

    public List<ItemWire>? Output { get; set; }

    public IncompleteDetailsWire? IncompleteDetails { get; set; }

    public ResponsesUsageWire? Usage { get; set; }

    public ResponsesErrorWire? Error { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class IncompleteDetailsWire
{
    public string? Reason { get; set; }
}

internal sealed class ResponsesUsageWire
{
    /// <summary>Includes cached tokens.</summary>
    public long InputTokens { get; set; }

    public InputDetailsWire? InputTokensDetails { get; set; }

    /// <summary>Includes reasoning tokens.</summary>
    public long OutputTokens { get; set; }

    public OutputDetailsWire? OutputTokensDetails { get; set; }

    public long TotalTokens { get; set; }

    public decimal? Cost { get; set; }
}

internal sealed class InputDetailsWire
{
    public long? CachedTokens { get; set; }
}

internal sealed class OutputDetailsWire
{
    public long? ReasoningTokens { get; set; }
}

internal sealed class ResponsesErrorWire
{
    public string? Code { get; set; }

    public string? Message { get; set; }
}

/// <summary>One stream event; which fields are set depends on <see cref="Type"/>.</summary>
internal sealed class ResponsesEventWire
{
    public string? Type { get; set; }

    public int? SequenceNumber { get; set; }

    public ResponseObjectWire? Response { get; set; }

    public int? OutputIndex { get; set; }

    public ItemWire? Item { get; set; }

    public string? ItemId { get; set; }

    public int? ContentIndex { get; set; }

    public int? SummaryIndex { get; set; }

    public string? Delta { get; set; }

    public string? Arguments { get; set; }

    public string? Code { get; set; }

    public string? Message { get; set; }

    /// <summary>response.output_text.annotation.added.</summary>
    public AnnotationWire? Annotation { get; set; }
}
