using System.Collections;
using System.Runtime.CompilerServices;
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
        var fields = shape is null ? null : FieldsOf(shape);
        var properties = topLevel.Properties;
        for (var i = 0; i < properties.Length; i++)
        {
            // Names are compared and looked up as the bytes they are; a string is made only for an
            // escaped name, a field the wire type does not know, or a refusal.
            var property = properties[i];
            string? name = property.NameEscaped ? Name(body, property) : null;
            var raw = name is null ? body.Slice(property.NameStart, property.NameLength) : Encoding.UTF8.GetBytes(name);
            for (var j = 0; j < i; j++)
            {
                if (JsonTopLevel.NameEquals(body, properties[j], raw))
                {
                    name ??= Name(body, property);
                    throw GatewayException.InvalidRequest($"'{name}' appears more than once; send each field once.", name);
                }
            }

            var reader = new Utf8JsonReader(body[property.Value]);
            reader.Read();
            if (fields?.Find(raw) is { } known)
            {
                Check(ref reader, known, known.Name, counts, depth: 1);
            }
            else if (reader.TokenType == JsonTokenType.StartObject)
            {
                // An object the wire type does not name but whose counts are known (Gemini's
                // snake_case generation_config, which the protobuf JSON mapping accepts).
                name ??= Name(body, property);
                if (HasCountsUnder(name, counts))
                {
                    CheckObject(ref reader, shape: null, name, counts, depth: 2);
                }
            }
            else if (reader.TokenType == JsonTokenType.Number)
            {
                CheckCount(ref reader, name ?? Name(body, property), counts, untyped: true);
            }
        }
    }

    private static bool HasCountsUnder(string name, IReadOnlyList<string> counts)
    {
        foreach (var count in counts)
        {
            if (count.Length > name.Length && count[name.Length] == '.' && count.StartsWith(name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
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

    private static void Check(ref Utf8JsonReader reader, Field field, string path, IReadOnlyList<string> counts, int depth)
    {
        CheckCount(ref reader, path, counts);
        var token = reader.TokenType;
        if (token == JsonTokenType.Null)
        {
            return;
        }

        switch (field.Kind)
        {
            case FieldKind.String:
                Expect(token == JsonTokenType.String, path, "a string");
                break;
            case FieldKind.Boolean:
                Expect(token is JsonTokenType.True or JsonTokenType.False, path, "a boolean");
                break;
            case FieldKind.Int32:
                Expect(token == JsonTokenType.Number && reader.TryGetInt32(out _), path, "an integer between -2147483648 and 2147483647");
                break;
            case FieldKind.Int64:
                Expect(token == JsonTokenType.Number && reader.TryGetInt64(out _), path, "an integer that fits in 64 bits");
                break;
            case FieldKind.Number:
                Expect(token == JsonTokenType.Number && reader.TryGetDouble(out var number) && double.IsFinite(number), path, "a finite number");
                break;
            case FieldKind.Array:
                Expect(token == JsonTokenType.StartArray, path, "an array");
                break;
            case FieldKind.Object:
                Expect(token == JsonTokenType.StartObject, path, "an object");
                if (depth < MaxNestedDepth && field.Nested is { } nested)
                {
                    CheckObject(ref reader, nested, path, counts, depth + 1);
                }

                break;
            case FieldKind.Enum:
                Expect(token is JsonTokenType.String or JsonTokenType.Number, path, "one of its documented values");
                break;
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
            if (shape is not null && FieldsOf(shape).Find(name) is { } known)
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

    private static readonly ConditionalWeakTable<JsonTypeInfo, Fields> Tables = new();

    private static Fields FieldsOf(JsonTypeInfo shape) => Tables.GetValue(shape, static s => new Fields(s));

    private enum FieldKind
    {
        Any,
        String,
        Boolean,
        Int32,
        Int64,
        Number,
        Array,
        Object,
        Enum,
    }

    /// <summary>A known field: the JSON type its wire type gives it, and an object's own wire type.</summary>
    private sealed record Field(string Name, FieldKind Kind, JsonTypeInfo? Nested);

    /// <summary>
    /// A wire type's fields by name, worked out once per type instead of by reflection per request.
    /// </summary>
    private sealed class Fields
    {
        private const int MaxStackName = 128;

        private readonly Dictionary<string, Field> _byName = new(StringComparer.Ordinal);

        public Fields(JsonTypeInfo shape)
        {
            foreach (var property in shape.Properties)
            {
                _byName.TryAdd(property.Name, Describe(property));
            }
        }

        public Field? Find(string name) => _byName.GetValueOrDefault(name);

        public Field? Find(ReadOnlySpan<byte> utf8)
        {
            if (utf8.Length > MaxStackName)
            {
                return Find(Encoding.UTF8.GetString(utf8));
            }

            Span<char> chars = stackalloc char[MaxStackName];
            var length = Encoding.UTF8.GetChars(utf8, chars);
            return _byName.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars[..length], out var field) ? field : null;
        }

        private static Field Describe(JsonPropertyInfo property)
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;

            // A class read by a converter of its own (a string or an array of blocks) says itself what it takes.
            var converted = type.IsClass && type != typeof(string) && property.Options.TryGetTypeInfo(type, out var own) && own.Kind == JsonTypeInfoKind.None;
            var kind = type == typeof(JsonElement) || type == typeof(object) || converted ? FieldKind.Any
                : type == typeof(string) ? FieldKind.String
                : type == typeof(bool) ? FieldKind.Boolean
                : type == typeof(int) ? FieldKind.Int32
                : type == typeof(long) ? FieldKind.Int64
                : type == typeof(double) || type == typeof(float) || type == typeof(decimal) ? FieldKind.Number
                : type.IsArray || (typeof(IEnumerable).IsAssignableFrom(type) && !typeof(IDictionary).IsAssignableFrom(type)) ? FieldKind.Array
                : type.IsClass ? FieldKind.Object
                : type.IsEnum ? FieldKind.Enum
                : FieldKind.Any;
            var nested = kind == FieldKind.Object && property.Options.TryGetTypeInfo(type, out var info) && info.Kind == JsonTypeInfoKind.Object ? info : null;
            return new Field(property.Name, kind, nested);
        }
    }
}
