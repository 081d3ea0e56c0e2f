using System.Text.Json.Serialization;

namespace Switchyard.Dialects.Gemini;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GenerateContentRequestWire))]
[JsonSerializable(typeof(GenerateContentResponseWire))]
[JsonSerializable(typeof(GeminiErrorEnvelopeWire))]
// Lists of types the generator cannot write directly (extension data, custom converters) are
// metadata only: generated as fast paths, they called the serializer once per element, and
// each call built a stack of its own (bench/README.md, "Thirteenth pass").
[JsonSerializable(typeof(List<PartWire>), GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(List<ToolWire>), GenerationMode = JsonSourceGenerationMode.Metadata)]
internal sealed partial class GeminiJsonContext : JsonSerializerContext;
