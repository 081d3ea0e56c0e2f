using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Gemini;

/// <summary>
/// Rewrites a JSON Schema into the OpenAPI 3.0 subset Gemini accepts for function parameters and
/// <c>responseSchema</c> (https://ai.google.dev/api/caching#Schema): <c>$ref</c> resolved inline,
/// <c>["T","null"]</c> as <c>nullable</c>, <c>const</c> as a one-value <c>enum</c>, <c>oneOf</c> as
/// <c>anyOf</c>, and keywords Gemini rejects (<c>$schema</c>, <c>additionalProperties</c>,
/// <c>exclusiveMinimum</c>, unsupported <c>format</c>s …) dropped.
/// </summary>
public static class GeminiSchema
{
    private static readonly HashSet<string> Kept =
    [
        "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties", "required",
        "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering",
        "default", "items", "minimum", "maximum",
    ];

    private static readonly HashSet<string> StringFormats = ["enum", "date-time"];
    private static readonly HashSet<string> NumberFormats = ["float", "double", "int32", "int64"];

    public static JsonElement Clean(JsonElement schema)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonWire.WriterOptions))
        {
            var definitions = Definitions(schema);
            Write(writer, schema, definitions, depth: 0, description: null);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static Dictionary<string, JsonElement> Definitions(JsonElement root)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (root.ValueKind != JsonValueKind.Object)
        {
            return result;
        }

        foreach (var key in new[] { "$defs", "definitions" })
        {
            if (root.TryGetProperty(key, out var defs) && defs.ValueKind == JsonValueKind.Object)
            {
                foreach (var def in defs.EnumerateObject())
                {
                    result[$"#/{key}/{def.Name}"] = def.Value;
                }
            }
        }

        return result;
    }

    // description: the one written next to a $ref that led here; it describes this use of the definition.
    private static void Write(Utf8JsonWriter writer, JsonElement schema, Dictionary<string, JsonElement> definitions, int depth, JsonElement? description)
    {
        // Deeply recursive $refs cannot be inlined forever; past a depth the node becomes an open object.
        if (schema.ValueKind != JsonValueKind.Object || depth > 16)
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "object"u8);
            writer.WriteEndObject();
            return;
        }

        if (schema.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String
            && definitions.TryGetValue(reference.GetString()!, out var target))
        {
            Write(writer, target, definitions, depth + 1, Description(schema) ?? description);
            return;
        }

        // allOf with one member is a wrapper; merge-free inline.
        if (schema.TryGetProperty("allOf", out var allOf) && allOf.ValueKind == JsonValueKind.Array && allOf.GetArrayLength() == 1)
        {
            Write(writer, allOf[0], definitions, depth + 1, Description(schema) ?? description);
            return;
        }

        writer.WriteStartObject();
        string? type = null;
        var nullable = false;
        if (schema.TryGetProperty("type", out var typeElement))
        {
            if (typeElement.ValueKind == JsonValueKind.String)
            {
                type = typeElement.GetString();
            }
            else if (typeElement.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in typeElement.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        throw GatewayException.InvalidRequest("A JSON schema's 'type' must be a string or an array of strings.");
                    }

                    if (item.GetString() == "null")
                    {
                        nullable = true;
                    }
                    else
                    {
                        type ??= item.GetString();
                    }
                }
            }
        }

        if (type is not null)
        {
            writer.WriteString("type"u8, type);
        }

        if (nullable)
        {
            writer.WriteBoolean("nullable"u8, true);
        }

        if (description is { } sibling)
        {
            writer.WritePropertyName("description"u8);
            sibling.WriteTo(writer);
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            writer.WriteStartArray("enum"u8);
            constant.WriteTo(writer);
            writer.WriteEndArray();
        }

        foreach (var property in schema.EnumerateObject())
        {
            switch (property.Name)
            {
                // Written above already: repeating them would send duplicate keys.
                case "type":
                case "description" when description is not null:
                case "nullable" when nullable:
                case "enum" when constant.ValueKind != JsonValueKind.Undefined:
                    break;
                case "format" when property.Value.ValueKind == JsonValueKind.String:
                    var format = property.Value.GetString()!;
                    if ((type == "string" && StringFormats.Contains(format)) || (type is "number" or "integer" && NumberFormats.Contains(format)))
                    {
                        writer.WriteString("format"u8, format);
                    }

                    break;
                case "properties" when property.Value.ValueKind == JsonValueKind.Object:
                    writer.WriteStartObject("properties"u8);
                    foreach (var child in property.Value.EnumerateObject())
                    {
                        writer.WritePropertyName(child.Name);
                        Write(writer, child.Value, definitions, depth + 1, description: null);
                    }

                    writer.WriteEndObject();
                    break;
                case "items" when property.Value.ValueKind == JsonValueKind.Object:
                    writer.WritePropertyName("items"u8);
                    Write(writer, property.Value, definitions, depth + 1, description: null);
                    break;
                case "anyOf" or "oneOf" when property.Value.ValueKind == JsonValueKind.Array:
                    writer.WriteStartArray("anyOf"u8);
                    foreach (var option in property.Value.EnumerateArray())
                    {
                        Write(writer, option, definitions, depth + 1, description: null);
                    }

                    writer.WriteEndArray();
                    break;
                case var name when Kept.Contains(name) && name is not ("anyOf" or "properties" or "items" or "format"):
                    property.WriteTo(writer);
                    break;
            }
        }

        writer.WriteEndObject();
    }

    private static JsonElement? Description(JsonElement schema) =>
        schema.TryGetProperty("description", out var description) ? description : null;

    /// <summary>
    /// The other direction, for a Gemini client's <c>parameters</c> and <c>responseSchema</c>: Google's
    /// OpenAPI subset spells types in capitals (<c>"OBJECT"</c>) and marks nulls with <c>nullable</c>,
    /// which the JSON Schema validators of other upstreams reject. Types become lower case and
    /// <c>nullable: true</c> becomes a <c>["T","null"]</c> type; everything else is kept.
    /// </summary>
    public static JsonElement ToJsonSchema(JsonElement schema)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonWire.WriterOptions))
        {
            WriteJsonSchema(writer, schema);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void WriteJsonSchema(Utf8JsonWriter writer, JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            schema.WriteTo(writer);
            return;
        }

        var type = schema.TryGetProperty("type", out var typeElement) && typeElement.ValueKind == JsonValueKind.String
            ? typeElement.GetString()!.ToLowerInvariant()
            : null;
        var nullable = type is not null && schema.TryGetProperty("nullable", out var flag) && flag.ValueKind == JsonValueKind.True;
        writer.WriteStartObject();
        foreach (var property in schema.EnumerateObject())
        {
            switch (property.Name)
            {
                case "type" when type is not null:
                    if (nullable)
                    {
                        writer.WriteStartArray("type"u8);
                        writer.WriteStringValue(type);
                        writer.WriteStringValue("null"u8);
                        writer.WriteEndArray();
                    }
                    else
                    {
                        writer.WriteString("type"u8, type);
                    }

                    break;
                case "nullable" when nullable:
                    break;
                case "properties" when property.Value.ValueKind == JsonValueKind.Object:
                    writer.WriteStartObject("properties"u8);
                    foreach (var child in property.Value.EnumerateObject())
                    {
                        writer.WritePropertyName(child.Name);
                        WriteJsonSchema(writer, child.Value);
                    }

                    writer.WriteEndObject();
                    break;
                case "items":
                    writer.WritePropertyName("items"u8);
                    WriteJsonSchema(writer, property.Value);
                    break;
                case "anyOf" when property.Value.ValueKind == JsonValueKind.Array:
                    writer.WriteStartArray("anyOf"u8);
                    foreach (var option in property.Value.EnumerateArray())
                    {
                        WriteJsonSchema(writer, option);
                    }

                    writer.WriteEndArray();
                    break;
                default:
                    property.WriteTo(writer);
                    break;
            }
        }

        writer.WriteEndObject();
    }
}
