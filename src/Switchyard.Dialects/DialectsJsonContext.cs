using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchyard.Dialects;

/// <summary>Shared source-generated metadata for the few BCL types the codecs serialize directly.</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
internal sealed partial class DialectsJsonContext : JsonSerializerContext;
