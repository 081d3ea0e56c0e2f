using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchyard.Dialects.Json;

/// <summary>
/// A value that is most often a string (a message's or a tool result's content): read as one
/// straight from the body, and as a <see cref="JsonElement"/> only when it is anything else. An
/// agent's conversation is mostly such strings; as elements, each was copied once more and parsed
/// again to be read.
/// </summary>
[JsonConverter(typeof(TextOrJsonConverter))]
internal sealed class TextOrJson
{
    public string? Text { get; init; }

    /// <summary>The value when it is not a string.</summary>
    public JsonElement Json { get; init; }

    public JsonValueKind Kind => Text is null ? Json.ValueKind : JsonValueKind.String;
}

internal sealed class TextOrJsonConverter : JsonConverter<TextOrJson>
{
    public override TextOrJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? new TextOrJson { Text = reader.GetString() }
            : new TextOrJson { Json = JsonElement.ParseValue(ref reader) };

    public override void Write(Utf8JsonWriter writer, TextOrJson value, JsonSerializerOptions options)
    {
        if (value.Text is { } text)
        {
            writer.WriteStringValue(text);
        }
        else
        {
            value.Json.WriteTo(writer);
        }
    }
}
