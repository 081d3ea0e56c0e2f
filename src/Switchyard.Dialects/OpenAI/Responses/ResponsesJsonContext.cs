using System.Text.Json.Serialization;

namespace Switchyard.Dialects.OpenAI.Responses;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ResponsesRequestWire))]
[JsonSerializable(typeof(ResponseObjectWire))]
[JsonSerializable(typeof(ResponsesEventWire))]
[JsonSerializable(typeof(ResponsesToolWire))]
// Lists of types the generator cannot write directly (extension data, custom converters) are
// metadata only: generated as fast paths, they called the serializer once per element, and
// each call built a stack of its own (bench/README.md, "Thirteenth pass").
[JsonSerializable(typeof(List<ItemWire>), GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(List<ResponsesContentWire>), GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(List<ResponsesToolWire>), GenerationMode = JsonSourceGenerationMode.Metadata)]
internal sealed partial class ResponsesJsonContext : JsonSerializerContext;
