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

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class SummaryWire
{
    public string? Type { get; set; }

    public string? Text { get; set; }
}

internal sealed class ResponsesToolWire
{
    /// <summary>function, or a hosted tool type such as web_search.</summary>
    public string? Type { get; set; }

    public string? Name { get; set; }

    public string? Description { get; set; }

    public JsonElement? Parameters { get; set; }

    public bool? Strict { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
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
}
