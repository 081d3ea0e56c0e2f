using System.Text.Json.Serialization;

namespace Switchyard.Dialects.OpenAI.Chat;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ChatCompletionRequestWire))]
[JsonSerializable(typeof(ChatCompletionWire))]
// Not used to read chunks (ChatChunkParser does): the parser's reference, which its tests hold it to.
[JsonSerializable(typeof(ChatChunkWire))]
[JsonSerializable(typeof(List<ContentPartWire>))]
[JsonSerializable(typeof(OpenAIErrorEnvelopeWire))]
internal sealed partial class ChatCompletionsJsonContext : JsonSerializerContext;
