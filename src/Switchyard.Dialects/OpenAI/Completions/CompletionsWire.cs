using System.Text.Json;
using System.Text.Json.Serialization;
using Switchyard.Dialects.OpenAI.Chat;

namespace Switchyard.Dialects.OpenAI.Completions;

// https://platform.openai.com/docs/api-reference/completions (legacy).
#pragma warning disable CA1002, CA2227 // wire DTOs

internal sealed class CompletionRequestWire
{
    public string? Model { get; set; }

    /// <summary>A string or an array of strings.</summary>
    public JsonElement? Prompt { get; set; }

    public int? MaxTokens { get; set; }

    public double? Temperature { get; set; }

    public double? TopP { get; set; }

    public double? PresencePenalty { get; set; }

    public double? FrequencyPenalty { get; set; }

    public long? Seed { get; set; }

    public JsonElement? Stop { get; set; }

    public int? N { get; set; }

    public bool? Stream { get; set; }

    public string? User { get; set; }

    public bool? StrictParams { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

internal sealed class CompletionWire
{
    public string? Id { get; set; }

    public string? Object { get; set; }

    public long Created { get; set; }

    public string? Model { get; set; }

    public List<CompletionChoiceWire>? Choices { get; set; }

    public UsageWire? Usage { get; set; }
}

internal sealed class CompletionChoiceWire
{
    public string? Text { get; set; }

    public int Index { get; set; }

    public string? FinishReason { get; set; }
}
