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
[JsonSerializable(typeof(OpenAIErrorEnvelopeWire))]
// Lists of types the generator cannot write directly (extension data, custom converters) are
// metadata only: generated as fast paths, they called the serializer once per element, and
// each call built a stack of its own (bench/README.md, "Thirteenth pass").
[JsonSerializable(typeof(List<ContentPartWire>), GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(List<ChatMessageWire>), GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(List<ChatToolWire>), GenerationMode = JsonSourceGenerationMode.Metadata)]
internal sealed partial class ChatCompletionsJsonContext : JsonSerializerContext;
