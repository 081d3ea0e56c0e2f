using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchyard.Conversations;

[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ConversationJsonContext : JsonSerializerContext;
