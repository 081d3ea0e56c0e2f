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
internal sealed partial class ConverseJsonContext : JsonSerializerContext;
