using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchyard.Dialects.Gemini;

// Mirrors https://ai.google.dev/api/generate-content field for field (camelCase on the wire);
// unknown fields survive in ExtensionData. Behaviour lives in GenerateContentMapping.
#pragma warning disable CA1002, CA2227 // wire DTOs: mutable lists are what the serializer fills.

internal sealed class GenerateContentRequestWire
{
    public List<ContentWire>? Contents { get; set; }

    public ContentWire? SystemInstruction { get; set; }

    public List<ToolWire>? Tools { get; set; }

    public ToolConfigWire? ToolConfig { get; set; }

    public GenerationConfigWire? GenerationConfig { get; set; }

    public JsonElement? SafetySettings { get; set; }

    public string? CachedContent { get; set; }

    /// <summary>docs/behaviour.md names it <c>strict_params</c> on every surface, snake_case here too.</summary>
    [JsonPropertyName("strict_params")]
    public bool? StrictParams { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class ContentWire
{
    public string? Role { get; set; }

    public List<PartWire>? Parts { get; set; }
}

internal sealed class PartWire
{
    public string? Text { get; set; }

    /// <summary>True for a thought summary part.</summary>
    public bool? Thought { get; set; }

    /// <summary>Opaque; must be returned on the part it came with.</summary>
    public string? ThoughtSignature { get; set; }

    public BlobWire? InlineData { get; set; }

    public FileDataWire? FileData { get; set; }

    public FunctionCallWire? FunctionCall { get; set; }

    public FunctionResponseWire? FunctionResponse { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class BlobWire
{
    public string? MimeType { get; set; }

    public string? Data { get; set; }
}

internal sealed class FileDataWire
{
    public string? MimeType { get; set; }

    public string? FileUri { get; set; }
}

internal sealed class FunctionCallWire
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public JsonElement? Args { get; set; }
}

internal sealed class FunctionResponseWire
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public JsonElement? Response { get; set; }
}

internal sealed class ToolWire
{
    public List<FunctionDeclarationWire>? FunctionDeclarations { get; set; }

    public JsonElement? GoogleSearch { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class FunctionDeclarationWire
{
    public string? Name { get; set; }

    public string? Description { get; set; }

    /// <summary>An OpenAPI 3.0 schema subset.</summary>
    public JsonElement? Parameters { get; set; }

    /// <summary>A full JSON Schema (newer API versions).</summary>
    public JsonElement? ParametersJsonSchema { get; set; }
}

internal sealed class ToolConfigWire
{
    public FunctionCallingConfigWire? FunctionCallingConfig { get; set; }
}

internal sealed class FunctionCallingConfigWire
{
    /// <summary>AUTO, ANY, NONE or VALIDATED.</summary>
    public string? Mode { get; set; }

    public List<string>? AllowedFunctionNames { get; set; }
}

internal sealed class GenerationConfigWire
{
    public double? Temperature { get; set; }

    public double? TopP { get; set; }

    public int? TopK { get; set; }

    public int? MaxOutputTokens { get; set; }

    public List<string>? StopSequences { get; set; }

    public int? CandidateCount { get; set; }

    public string? ResponseMimeType { get; set; }

    public JsonElement? ResponseSchema { get; set; }

    public JsonElement? ResponseJsonSchema { get; set; }

    public double? PresencePenalty { get; set; }

    public double? FrequencyPenalty { get; set; }

    public long? Seed { get; set; }

    public ThinkingConfigWire? ThinkingConfig { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class ThinkingConfigWire
{
    /// <summary>Gemini 2.x: tokens; 0 turns thinking off, -1 lets the model decide.</summary>
    public int? ThinkingBudget { get; set; }

    /// <summary>Gemini 3: low or high.</summary>
    public string? ThinkingLevel { get; set; }

    public bool? IncludeThoughts { get; set; }
}

internal sealed class GenerateContentResponseWire
{
    public List<CandidateWire>? Candidates { get; set; }

    public UsageMetadataWire? UsageMetadata { get; set; }

    public string? ModelVersion { get; set; }

    public string? ResponseId { get; set; }

    public JsonElement? PromptFeedback { get; set; }

    public GeminiErrorWire? Error { get; set; }
}

internal sealed class CandidateWire
{
    public ContentWire? Content { get; set; }

    public string? FinishReason { get; set; }

    /// <summary>What Google Search found and which text it supports.</summary>
    public GroundingMetadataWire? GroundingMetadata { get; set; }

    public int? Index { get; set; }
}

internal sealed class GroundingMetadataWire
{
    public List<string>? WebSearchQueries { get; set; }

    public List<GroundingChunkWire>? GroundingChunks { get; set; }

    public List<GroundingSupportWire>? GroundingSupports { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class GroundingChunkWire
{
    public WebChunkWire? Web { get; set; }
}

internal sealed class WebChunkWire
{
    public string? Uri { get; set; }

    public string? Title { get; set; }
}

internal sealed class GroundingSupportWire
{
    public SegmentWire? Segment { get; set; }

    public List<int>? GroundingChunkIndices { get; set; }
}

internal sealed class SegmentWire
{
    public int? PartIndex { get; set; }

    /// <summary>In bytes of the part's UTF-8 text.</summary>
    public int? StartIndex { get; set; }

    public int? EndIndex { get; set; }

    public string? Text { get; set; }
}

internal sealed class UsageMetadataWire
{
    /// <summary>Includes cachedContentTokenCount.</summary>
    public long? PromptTokenCount { get; set; }

    /// <summary>Excludes thoughtsTokenCount.</summary>
    public long? CandidatesTokenCount { get; set; }

    public long? ThoughtsTokenCount { get; set; }

    public long? CachedContentTokenCount { get; set; }

    /// <summary>Input the upstream's own tools added (search results fed back to the model); not in promptTokenCount.</summary>
    public long? ToolUsePromptTokenCount { get; set; }

    public long? TotalTokenCount { get; set; }

    /// <summary>Switchyard's addition: the cost in credits, where the model has pricing.</summary>
    public decimal? Cost { get; set; }
}

internal sealed class GeminiErrorEnvelopeWire
{
    public GeminiErrorWire? Error { get; set; }
}

internal sealed class GeminiErrorWire
{
    public int? Code { get; set; }

    public string? Message { get; set; }

    public string? Status { get; set; }
}
