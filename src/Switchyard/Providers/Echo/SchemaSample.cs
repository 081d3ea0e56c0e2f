using System.Text.Json;

namespace Switchyard.Providers.Echo;

/// <summary>Writes a small JSON value that satisfies a JSON Schema, for the echo model's tool arguments and structured output.</summary>
internal static class SchemaSample
{
    public static void Write(Utf8JsonWriter writer, JsonElement? schema, string text, int depth = 0)
    {
        if (schema is not { ValueKind: JsonValueKind.Object } s || depth > 8)
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
            return;
        }

        if (s.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0)
        {
            values[0].WriteTo(writer);
            return;
        }

        if (s.TryGetProperty("const", out var constant))
        {
            constant.WriteTo(writer);
            return;
        }

        foreach (var combinator in new[] { "anyOf", "oneOf", "allOf" })
        {
            if (s.TryGetProperty(combinator, out var options) && options.ValueKind == JsonValueKind.Array && options.GetArrayLength() > 0)
            {
                Write(writer, options[0], text, depth + 1);
                return;
            }
        }

        var type = s.TryGetProperty("type", out var t) ? t : default;
        if (type.ValueKind == JsonValueKind.Array)
        {
            type = type.EnumerateArray().FirstOrDefault(e => e.GetString() != "null");
        }

        switch (type.ValueKind == JsonValueKind.String ? type.GetString() : s.TryGetProperty("properties", out _) ? "object" : null)
        {
            case "string":
                writer.WriteStringValue(text);
                break;
            case "integer":
                writer.WriteNumberValue(s.TryGetProperty("minimum", out var min) && min.TryGetInt64(out var m) ? m : 1);
                break;
            case "number":
                writer.WriteNumberValue(s.TryGetProperty("minimum", out var minimum) && minimum.TryGetDouble(out var d) ? d : 1.5);
                break;
            case "boolean":
                writer.WriteBooleanValue(true);
                break;
            case "null":
                writer.WriteNullValue();
                break;
            case "array":
                writer.WriteStartArray();
                Write(writer, s.TryGetProperty("items", out var items) ? items : null, text, depth + 1);
                writer.WriteEndArray();
                break;
            default:
                writer.WriteStartObject();
                if (s.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in properties.EnumerateObject())
                    {
                        writer.WritePropertyName(property.Name);
                        Write(writer, property.Value, text, depth + 1);
                    }
                }

                writer.WriteEndObject();
                break;
        }
    }
}
