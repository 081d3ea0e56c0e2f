using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Switchyard.Agents.FakeModel;

[JsonSerializable(typeof(JsonObject))]
internal sealed partial class AppJsonContext : JsonSerializerContext;
