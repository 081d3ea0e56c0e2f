using System.Text.Json.Serialization;

namespace Switchyard.Dialects.Bedrock;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ConverseResponseWire))]
[JsonSerializable(typeof(MessageStartEventWire))]
[JsonSerializable(typeof(ContentBlockStartEventWire))]
[JsonSerializable(typeof(ContentBlockDeltaEventWire))]
[JsonSerializable(typeof(ContentBlockStopEventWire))]
[JsonSerializable(typeof(MessageStopEventWire))]
[JsonSerializable(typeof(MetadataEventWire))]
[JsonSerializable(typeof(BedrockErrorWire))]
// Lists of types the generator cannot write directly (extension data, custom converters) are
// metadata only: generated as fast paths, they called the serializer once per element, and
// each call built a stack of its own (bench/README.md, "Thirteenth pass").
[JsonSerializable(typeof(List<ConverseContentBlockWire>), GenerationMode = JsonSourceGenerationMode.Metadata)]
internal sealed partial class ConverseJsonContext : JsonSerializerContext;
