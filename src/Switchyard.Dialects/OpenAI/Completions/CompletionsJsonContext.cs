using System.Text.Json.Serialization;

namespace Switchyard.Dialects.OpenAI.Completions;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CompletionRequestWire))]
[JsonSerializable(typeof(CompletionWire))]
internal sealed partial class CompletionsJsonContext : JsonSerializerContext;
