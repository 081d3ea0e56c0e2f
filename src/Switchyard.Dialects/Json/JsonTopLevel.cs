using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Switchyard.Dialects.Json;

/// <summary>
/// The top level of a JSON object: where each property is, found in one <see cref="Utf8JsonReader"/>
/// pass without materialising values. The passthrough path reads the few properties it needs
/// from here and rewrites only those (<see cref="JsonTopLevelEditor"/>).
/// </summary>
public sealed class JsonTopLevel
{
    private TopLevelProperty[] _properties = new TopLevelProperty[16];

    public int Count { get; private set; }

    public ReadOnlySpan<TopLevelProperty> Properties => _properties.AsSpan(0, Count);

    /// <summary>Scans <paramref name="json"/>; throws <see cref="GatewayException"/> when it is not a JSON object.</summary>
    public static JsonTopLevel Scan(ReadOnlySpan<byte> json)
    {
        var result = new JsonTopLevel();
        result.Rescan(json);
        return result;
    }

    public void Rescan(ReadOnlySpan<byte> json)
    {
        var skipAll = default(SkipAll);
        Rescan(json, ref skipAll);
    }

    /// <summary>
    /// Scans <paramref name="json"/> as <see cref="Rescan(ReadOnlySpan{byte})"/> does, showing each
    /// top-level object or array to <paramref name="visitor"/> on the way, so a caller that must look
    /// inside one (a stream chunk's <c>choices</c>) reads the bytes once instead of twice.
    /// </summary>
    public void Rescan<TVisitor>(ReadOnlySpan<byte> json, ref TVisitor visitor)
        where TVisitor : struct, ITopLevelVisitor
    {
        Count = 0;
        try
        {
            var reader = OpenObject(json);

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var start = (int)reader.TokenStartIndex;
                var nameLength = reader.ValueSpan.Length;
                var escaped = reader.ValueIsEscaped;
                reader.Read();
                var valueStart = (int)reader.TokenStartIndex;
                var kind = reader.TokenType;
                if (kind is JsonTokenType.StartObject or JsonTokenType.StartArray
                    && !visitor.Visit(json.Slice(start + 1, nameLength), escaped, ref reader))
                {
                    reader.Skip();
                }

                Add(new TopLevelProperty(start, start + 1, nameLength, escaped, valueStart, (int)reader.BytesConsumed, kind));
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw GatewayException.InvalidRequest("The request body is not valid JSON.");
            }
        }
        catch (JsonException exception)
        {
            throw GatewayException.InvalidRequest($"The request body is not valid JSON: {exception.Message}");
        }
    }

    /// <summary>
    /// Scans <paramref name="json"/> as <see cref="Rescan(ReadOnlySpan{byte})"/> does, reading every
    /// token instead of skipping the top level's values, and shows each token (the root object's
    /// first) to <paramref name="tokens"/>: a request body's index and whatever else the gateway
    /// counts or collects from the whole body, in one pass.
    /// </summary>
    public void RescanEveryToken<TSink>(ReadOnlySpan<byte> json, ref TSink tokens)
        where TSink : struct, IJsonTokenSink
    {
        Count = 0;
        try
        {
            var reader = OpenObject(json);

            tokens.OnToken(ref reader);
            int start = 0, nameLength = 0, valueStart = 0;
            var escaped = false;
            while (reader.Read())
            {
                tokens.OnToken(ref reader);
                if (reader.CurrentDepth != 1)
                {
                    continue;
                }

                // At depth 1: a top-level name, its value's first token, or the end of an object or array value.
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        start = (int)reader.TokenStartIndex;
                        nameLength = reader.ValueSpan.Length;
                        escaped = reader.ValueIsEscaped;
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        valueStart = (int)reader.TokenStartIndex;
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        var kind = reader.TokenType == JsonTokenType.EndObject ? JsonTokenType.StartObject : JsonTokenType.StartArray;
                        Add(new TopLevelProperty(start, start + 1, nameLength, escaped, valueStart, (int)reader.BytesConsumed, kind));
                        break;
                    default:
                        Add(new TopLevelProperty(start, start + 1, nameLength, escaped, (int)reader.TokenStartIndex, (int)reader.BytesConsumed, reader.TokenType));
                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0)
            {
                throw GatewayException.InvalidRequest("The request body is not valid JSON.");
            }
        }
        catch (JsonException exception)
        {
            throw GatewayException.InvalidRequest($"The request body is not valid JSON: {exception.Message}");
        }
    }

    /// <summary>Index of the property called <paramref name="name"/>, or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        var properties = Properties;
        for (var i = 0; i < properties.Length; i++)
        {
            if (NameEquals(json, properties[i], name))
            {
                return i;
            }
        }

        return -1;
    }

    public bool TryGet(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name, out TopLevelProperty property)
    {
        var index = IndexOf(json, name);
        property = index >= 0 ? _properties[index] : default;
        return index >= 0;
    }

    /// <summary>The property's value as a string, or null when absent or null; throws a 400 for another type.</summary>
    public string? GetString(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        if (!TryGet(json, name, out var property) || property.ValueKind == JsonTokenType.Null)
        {
            return null;
        }

        if (property.ValueKind != JsonTokenType.String)
        {
            throw GatewayException.InvalidRequest($"'{Encoding.UTF8.GetString(name)}' must be a string.", Encoding.UTF8.GetString(name));
        }

        var reader = new Utf8JsonReader(json[property.Value]);
        reader.Read();
        return reader.GetString();
    }

    /// <summary>The property's value as a boolean, or null when absent or null; throws a 400 for another type.</summary>
    public bool? GetBoolean(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        if (!TryGet(json, name, out var property) || property.ValueKind == JsonTokenType.Null)
        {
            return null;
        }

        return property.ValueKind switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw GatewayException.InvalidRequest($"'{Encoding.UTF8.GetString(name)}' must be a boolean.", Encoding.UTF8.GetString(name)),
        };
    }

    /// <summary>The property's value as a number, or null when absent or null; throws a 400 for another type.</summary>
    public double? GetNumber(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        if (!TryGet(json, name, out var property) || property.ValueKind == JsonTokenType.Null)
        {
            return null;
        }

        if (property.ValueKind != JsonTokenType.Number)
        {
            throw GatewayException.InvalidRequest($"'{Encoding.UTF8.GetString(name)}' must be a number.", Encoding.UTF8.GetString(name));
        }

        var reader = new Utf8JsonReader(json[property.Value]);
        reader.Read();
        return reader.GetDouble();
    }

    public static bool NameEquals(ReadOnlySpan<byte> json, in TopLevelProperty property, ReadOnlySpan<byte> name)
    {
        var raw = json.Slice(property.NameStart, property.NameLength);
        if (!property.NameEscaped)
        {
            return raw.SequenceEqual(name);
        }

        // Rare: an escaped property name; compare after unescaping.
        var reader = new Utf8JsonReader(json[property.Start..property.End]);
        reader.Read();
        return reader.ValueTextEquals(name);
    }

    /// <summary>A reader on the root object's opening token; a 400 when the body does not start one.</summary>
    private static Utf8JsonReader OpenObject(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw GatewayException.InvalidRequest("The request body must be a JSON object.");
        }

        return reader;
    }

    private void Add(TopLevelProperty property)
    {
        if (Count == _properties.Length)
        {
            Array.Resize(ref _properties, Count * 2);
        }

        _properties[Count++] = property;
    }

    private struct SkipAll : ITopLevelVisitor
    {
        public readonly bool Visit(ReadOnlySpan<byte> name, bool nameEscaped, ref Utf8JsonReader reader) => false;
    }
}

/// <summary>Looks inside top-level objects and arrays while <see cref="JsonTopLevel"/> scans past them.</summary>
public interface ITopLevelVisitor
{
    /// <summary>
    /// Called with the reader on the first token of a top-level object or array called
    /// <paramref name="name"/> (raw bytes, still escaped when <paramref name="nameEscaped"/>).
    /// Returns true after reading the whole value (the reader on its closing token), or false,
    /// without reading, to have it skipped.
    /// </summary>
    bool Visit(ReadOnlySpan<byte> name, bool nameEscaped, ref Utf8JsonReader reader);
}
