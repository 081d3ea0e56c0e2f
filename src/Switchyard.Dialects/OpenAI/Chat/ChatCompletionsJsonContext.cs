using System.Text.Json.Serialization;

namespace Switchyard.Dialects.OpenAI.Chat;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ChatCompletionRequestWire))]
[JsonSerializable(typeof(ChatCompletionWire))]
[JsonSerializable(typeof(ChatChunkWire))]
[JsonSerializable(typeof(List<ContentPartWire>))]
[JsonSerializable(typeof(OpenAIErrorEnvelopeWire))]
internal sealed partial class ChatCompletionsJsonContext : JsonSerializerContext;
