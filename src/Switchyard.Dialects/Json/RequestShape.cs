using System.Collections;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Switchyard.Dialects.Json;

/// <summary>
/// Holds a request body to the shape its dialect documents, before anything reads it or sends it
/// on: one value per field (an upstream that keeps the last of two <c>model</c>s would serve a model
/// the key may not use), every known field of the JSON type the dialect's wire type gives it,
/// numbers that fit it, and counts that are not negative. The wire type is the parameter table:
/// its properties are the known fields; unknown fields pass, as the upstream may know them.
/// Objects nested in known fields (<c>stream_options</c>, <c>generationConfig</c>) are held to their
/// own wire types; arrays (messages, contents) are left to the codec that reads them.
/// </summary>
public static class RequestShape
{
    private const int MaxNestedDepth = 3;

    /// <summary>
    /// Throws <see cref="GatewayException"/> (400, naming the field) for a body of the wrong shape.
    /// <paramref name="counts"/> are the fields (dotted paths for nested ones) that count something
    /// and so may not be negative.
    /// </summary>
    public static void Validate(ReadOnlySpan<byte> body, JsonTopLevel topLevel, JsonTypeInfo? shape, IReadOnlyList<string> counts)
    {
        var properties = topLevel.Properties;
        for (var i = 0; i < properties.Length; i++)
        {
            var name = Name(body, properties[i]);
            for (var j = 0; j < i; j++)
            {
                if (JsonTopLevel.NameEquals(body, properties[j], Encoding.UTF8.GetBytes(name)))
                {
                    throw GatewayException.InvalidRequest($"'{name}' appears more than once; send each field once.", name);
                }
            }

            var reader = new Utf8JsonReader(body[properties[i].Value]);
            reader.Read();
            if (shape?.Properties.FirstOrDefault(p => p.Name == name) is { } known)
            {
                Check(ref reader, known, name, counts, depth: 1);
            }
            else if (reader.TokenType == JsonTokenType.StartObject && counts.Any(c => c.StartsWith(name + ".", StringComparison.Ordinal)))
            {
                // An object the wire type does not name but whose counts are known (Gemini's
                // snake_case generation_config, which the protobuf JSON mapping accepts).
                CheckObject(ref reader, shape: null, name, counts, depth: 2);
            }
            else
            {
                CheckCount(ref reader, name, counts, untyped: true);
            }
        }
    }

    /// <summary>
    /// A count may not be negative; one the wire type gives no type (<paramref name="untyped"/>) must
    /// also be a whole number that fits in 32 bits, as the typed ones are by their type.
    /// </summary>
    private static void CheckCount(ref Utf8JsonReader reader, string path, IReadOnlyList<string> counts, bool untyped = false)
    {
        if (reader.TokenType != JsonTokenType.Number || !counts.Contains(path))
        {
            return;
        }

        if (reader.TryGetDouble(out var value) && value < 0)
        {
            throw GatewayException.InvalidRequest($"'{path}' must not be negative.", path);
        }

        if (untyped && !reader.TryGetInt32(out _))
        {
            throw GatewayException.InvalidRequest($"'{path}' must be a whole number between 0 and 2147483647.", path);
        }
    }

    private static void Check(ref Utf8JsonReader reader, JsonPropertyInfo property, string path, IReadOnlyList<string> counts, int depth)
    {
        CheckCount(ref reader, path, counts);
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var token = reader.TokenType;
        if (token == JsonTokenType.Null || type == typeof(JsonElement) || type == typeof(object))
        {
            return;
        }

        if (type == typeof(string))
        {
            Expect(token == JsonTokenType.String, path, "a string");
        }
        else if (type == typeof(bool))
        {
            Expect(token is JsonTokenType.True or JsonTokenType.False, path, "a boolean");
        }
        else if (type == typeof(int))
        {
            Expect(token == JsonTokenType.Number && reader.TryGetInt32(out _), path, "an integer between -2147483648 and 2147483647");
        }
        else if (type == typeof(long))
        {
            Expect(token == JsonTokenType.Number && reader.TryGetInt64(out _), path, "an integer that fits in 64 bits");
        }
        else if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            Expect(token == JsonTokenType.Number && reader.TryGetDouble(out var number) && double.IsFinite(number), path, "a finite number");
        }
        else if (type.IsArray || (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && !typeof(IDictionary).IsAssignableFrom(type)))
        {
            Expect(token == JsonTokenType.StartArray, path, "an array");
        }
        else if (type.IsClass)
        {
            Expect(token == JsonTokenType.StartObject, path, "an object");
            if (depth < MaxNestedDepth && property.Options.TryGetTypeInfo(type, out var nested) && nested.Kind == JsonTypeInfoKind.Object)
            {
                CheckObject(ref reader, nested, path, counts, depth + 1);
            }
        }
        else if (type.IsEnum)
        {
            Expect(token is JsonTokenType.String or JsonTokenType.Number, path, "one of its documented values");
        }
    }

    /// <summary>One nested object, already positioned on its start: one value per field, known fields typed (when it has a <paramref name="shape"/>), counts counted.</summary>
    private static void CheckObject(ref Utf8JsonReader reader, JsonTypeInfo? shape, string path, IReadOnlyList<string> counts, int depth)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            var field = path + "." + name;
            if (!seen.Add(name))
            {
                throw GatewayException.InvalidRequest($"'{field}' appears more than once; send each field once.", field);
            }

            reader.Read();
            if (shape?.Properties.FirstOrDefault(p => p.Name == name) is { } known)
            {
                Check(ref reader, known, field, counts, depth);
            }
            else
            {
                CheckCount(ref reader, field, counts, untyped: true);
            }

            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }
        }
    }

    private static void Expect(bool holds, string path, string what)
    {
        if (!holds)
        {
            throw GatewayException.InvalidRequest($"'{path}' must be {what}.", path);
        }
    }

    private static string Name(ReadOnlySpan<byte> body, in TopLevelProperty property)
    {
        var reader = new Utf8JsonReader(body[property.Start..property.End]);
        reader.Read();
        return reader.GetString()!;
    }
}
