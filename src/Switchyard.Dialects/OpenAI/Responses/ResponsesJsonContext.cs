using System.Text.Json.Serialization;

namespace Switchyard.Dialects.OpenAI.Responses;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ResponsesRequestWire))]
[JsonSerializable(typeof(ResponseObjectWire))]
[JsonSerializable(typeof(ResponsesEventWire))]
[JsonSerializable(typeof(List<ItemWire>))]
[JsonSerializable(typeof(List<ResponsesContentWire>))]
[JsonSerializable(typeof(ResponsesToolWire))]
internal sealed partial class ResponsesJsonContext : JsonSerializerContext;
