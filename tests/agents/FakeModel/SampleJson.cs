using System.Text.Json.Nodes;

namespace Switchyard.Agents.FakeModel;

/// <summary>A value that satisfies a JSON schema, for side questions asked in JSON mode.</summary>
internal static class SampleJson
{
    public static JsonNode For(JsonObject? schema) => schema is null ? new JsonObject() : Value(schema, depth: 0);

    private static JsonNode Value(JsonObject schema, int depth)
    {
        if (schema["enum"] is JsonArray { Count: > 0 } choices)
        {
            return choices[0]!.DeepClone();
        }

        if (schema["anyOf"] is JsonArray { Count: > 0 } anyOf && anyOf[0] is JsonObject first)
        {
            return Value(first, depth + 1);
        }

        var type = schema["type"] switch
        {
            JsonArray types => types.Select(t => t?.ToString()).FirstOrDefault(t => t != "null"),
            JsonNode single => single.ToString(),
            null => schema.ContainsKey("properties") ? "object" : "string",
        };
        return type switch
        {
            "object" when depth < 8 => Object(schema, depth),
            "object" => new JsonObject(),
            "array" => new JsonArray(),
            "integer" or "number" => JsonValue.Create(0),
            "boolean" => JsonValue.Create(false),
            _ => JsonValue.Create("ok"),
        };
    }

    private static JsonObject Object(JsonObject schema, int depth)
    {
        var result = new JsonObject();
        foreach (var (name, property) in schema["properties"] as JsonObject ?? [])
        {
            if (property is JsonObject propertySchema)
            {
                result[name] = Value(propertySchema, depth + 1);
            }
        }

        return result;
    }
}
