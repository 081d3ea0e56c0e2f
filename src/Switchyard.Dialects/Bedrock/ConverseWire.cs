using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchyard.Dialects.Bedrock;

// Mirrors the Bedrock Converse API reference (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
// and API_runtime_ConverseStream.html) for what the gateway reads back: responses, stream events
// and errors. Content blocks are a union on the wire ({"text":…} | {"toolUse":…} | …): one class
// with every member optional, as the JSON protocol sends them. Requests are written directly.
#pragma warning disable CA1002, CA2227 // wire DTOs: mutable lists are what the serializer fills.

internal sealed class ConverseResponseWire
{
    public ConverseOutputWire? Output { get; set; }

    public string? StopReason { get; set; }

    public ConverseUsageWire? Usage { get; set; }

    public JsonElement? AdditionalModelResponseFields { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class ConverseOutputWire
{
    public ConverseMessageWire? Message { get; set; }
}

internal sealed class ConverseMessageWire
{
    public string? Role { get; set; }

    public List<ConverseContentBlockWire?>? Content { get; set; }
}

internal sealed class ConverseContentBlockWire
{
    public string? Text { get; set; }

    public ConverseToolUseWire? ToolUse { get; set; }

    public ConverseReasoningContentWire? ReasoningContent { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class ConverseToolUseWire
{
    public string? ToolUseId { get; set; }

    public string? Name { get; set; }

    /// <summary>The arguments: a JSON document in a response; a fragment of its text in a stream delta.</summary>
    public JsonElement? Input { get; set; }
}

internal sealed class ConverseReasoningContentWire
{
    public ConverseReasoningTextWire? ReasoningText { get; set; }

    /// <summary>Reasoning the model provider encrypted, base64 (a blob in the JSON protocol).</summary>
    public string? RedactedContent { get; set; }

    /// <summary>Stream deltas carry text and signature directly, not inside <c>reasoningText</c>.</summary>
    public string? Text { get; set; }

    public string? Signature { get; set; }
}

internal sealed class ConverseReasoningTextWire
{
    public string? Text { get; set; }

    public string? Signature { get; set; }
}

/// <summary>Token counts. <c>inputTokens</c> leaves out cache reads and writes, as Anthropic counts them.</summary>
internal sealed class ConverseUsageWire
{
    public long? InputTokens { get; set; }

    public long? OutputTokens { get; set; }

    public long? TotalTokens { get; set; }

    public long? CacheReadInputTokens { get; set; }

    public long? CacheWriteInputTokens { get; set; }
}

internal sealed class MessageStartEventWire
{
    public string? Role { get; set; }
}

internal sealed class ContentBlockStartEventWire
{
    public int? ContentBlockIndex { get; set; }

    public ContentBlockStartWire? Start { get; set; }
}

internal sealed class ContentBlockStartWire
{
    public ConverseToolUseWire? ToolUse { get; set; }
}

internal sealed class ContentBlockDeltaEventWire
{
    public int? ContentBlockIndex { get; set; }

    public ContentBlockDeltaWire? Delta { get; set; }
}

internal sealed class ContentBlockDeltaWire
{
    public string? Text { get; set; }

    public ToolUseDeltaWire? ToolUse { get; set; }

    public ConverseReasoningContentWire? ReasoningContent { get; set; }
}

internal sealed class ToolUseDeltaWire
{
    public string? Input { get; set; }
}

internal sealed class ContentBlockStopEventWire
{
    public int? ContentBlockIndex { get; set; }
}

internal sealed class MessageStopEventWire
{
    public string? StopReason { get; set; }
}

internal sealed class MetadataEventWire
{
    public ConverseUsageWire? Usage { get; set; }
}

/// <summary>Bedrock's error body; the JSON protocol spells the field <c>message</c> or <c>Message</c>.</summary>
internal sealed class BedrockErrorWire
{
    public string? Message { get; set; }

    [JsonPropertyName("Message")]
    public string? CapitalMessage { get; set; }

    [JsonPropertyName("__type")]
    public string? Type { get; set; }
}
