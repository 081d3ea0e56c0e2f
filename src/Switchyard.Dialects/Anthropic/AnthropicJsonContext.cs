using System.Text.Json.Serialization;

namespace Switchyard.Dialects.Anthropic;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MessagesRequestWire))]
[JsonSerializable(typeof(MessageResponseWire))]
[JsonSerializable(typeof(StreamEventWire))]
[JsonSerializable(typeof(ErrorEnvelopeWire))]
[JsonSerializable(typeof(List<ContentBlockWire>))]
[JsonSerializable(typeof(CountTokensResponseWire))]
[JsonSerializable(typeof(ToolWire))]
[JsonSerializable(typeof(List<CitationWire>))]
[JsonSerializable(typeof(List<WebSearchResultWire>))]
internal sealed partial class AnthropicJsonContext : JsonSerializerContext;
