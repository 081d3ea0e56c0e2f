using System.Text.Json.Serialization;

namespace Switchyard.Storage;

[JsonSerializable(typeof(List<string>))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
