using System.Text.Json.Serialization;

namespace Switchyard.Dialects.Anthropic;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MessagesRequestWire))]
[JsonSerializable(typeof(MessageResponseWire))]
[JsonSerializable(typeof(StreamEventWire))]
[JsonSerializable(typeof(ErrorEnvelopeWire))]
[JsonSerializable(typeof(CountTokensResponseWire))]
[JsonSerializable(typeof(ToolWire))]
[JsonSerializable(typeof(List<CitationWire>))]
[JsonSerializable(typeof(List<WebSearchResultWire>))]
// Lists of types the generator cannot write directly (extension data, custom converters) are
// metadata only: generated as fast paths, they called the serializer once per element, and
// each call built a stack of its own (bench/README.md, "Thirteenth pass").
[JsonSerializable(typeof(List<ContentBlockWire>), GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(List<ToolWire>), GenerationMode = JsonSourceGenerationMode.Metadata)]
internal sealed partial class AnthropicJsonContext : JsonSerializerContext;
