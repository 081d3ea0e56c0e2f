using System.Text.Json.Serialization;

namespace Switchyard.Dialects.Gemini;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GenerateContentRequestWire))]
[JsonSerializable(typeof(GenerateContentResponseWire))]
[JsonSerializable(typeof(GeminiErrorEnvelopeWire))]
internal sealed partial class GeminiJsonContext : JsonSerializerContext;
