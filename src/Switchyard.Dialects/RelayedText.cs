using System.Text.Json;

namespace Switchyard.Dialects;

/// <summary>
/// Counts the characters of text, reasoning and tool arguments in relayed stream events (OpenAI
/// <c>content</c>/<c>arguments</c>, Anthropic <c>text</c>/<c>thinking</c>/<c>partial_json</c>,
/// Gemini <c>text</c>, Responses <c>delta</c>): what a stream cut short is charged for when its
/// upstream never reported usage. Characters are counted in the raw (still escaped) string values.
/// </summary>
public static class RelayedText
{
    /// <summary>Characters in the text-bearing string values of one event's JSON; events that repeat text already sent count 0.</summary>
    public static long Count(ReadOnlySpan<byte> json)
    {
        if (json.Length == 0 || json[0] != (byte)'{')
        {
            return 0;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        long characters = 0;
        var counting = false;
        var repeat = false;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        counting = IsTextProperty(ref reader);
                        if (reader.CurrentDepth == 1 && reader.ValueTextEquals("type"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
                        {
                            repeat = RepeatsText(reader.ValueSpan);
                            counting = false;
                        }

                        break;
                    case JsonTokenType.String when counting:
                        characters += Utf8Characters(reader.ValueSpan);
                        counting = false;
                        break;
                    default:
                        counting = false;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // A malformed frame is the tap's to report; it carries no countable text.
        }

        return repeat ? 0 : characters;
    }

    /// <summary>
    /// For a tap that walks an event's nested values anyway: counts the text in the value the reader
    /// is on (its first token) and leaves the reader on its last token, as <see cref="Utf8JsonReader.Skip"/>
    /// does. <paramref name="counting"/>: the value belongs to a text-bearing property. Inside the value
    /// the rules of <see cref="Count"/> apply.
    /// </summary>
    public static long CountValue(ref Utf8JsonReader reader, bool counting)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return counting ? Utf8Characters(reader.ValueSpan) : 0;
        }

        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return 0;
        }

        var depth = reader.CurrentDepth;
        long characters = 0;
        counting = false;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.EndObject or JsonTokenType.EndArray when reader.CurrentDepth == depth:
                    return characters;
                case JsonTokenType.PropertyName:
                    counting = IsTextProperty(ref reader);
                    break;
                case JsonTokenType.String when counting:
                    characters += Utf8Characters(reader.ValueSpan);
                    counting = false;
                    break;
                default:
                    counting = false;
                    break;
            }
        }

        return characters;
    }

    /// <summary>Whether the property name the reader is on names text-bearing content.</summary>
    public static bool IsTextProperty(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("reasoning_content"u8)
                || reader.ValueTextEquals("reasoning"u8) || reader.ValueTextEquals("arguments"u8) || reader.ValueTextEquals("partial_json"u8)
                || reader.ValueTextEquals("thinking"u8) || reader.ValueTextEquals("refusal"u8) || reader.ValueTextEquals("delta"u8);
        }

        // Every property name of every relayed frame comes through here: compare by length first.
        var name = reader.ValueSpan;
        return name.Length switch
        {
            4 => name.SequenceEqual("text"u8),
            5 => name.SequenceEqual("delta"u8),
            7 => name.SequenceEqual("content"u8) || name.SequenceEqual("refusal"u8),
            8 => name.SequenceEqual("thinking"u8),
            9 => name.SequenceEqual("reasoning"u8) || name.SequenceEqual("arguments"u8),
            12 => name.SequenceEqual("partial_json"u8),
            17 => name.SequenceEqual("reasoning_content"u8),
            _ => false,
        };
    }

    private static bool RepeatsText(ReadOnlySpan<byte> type) =>
        type.EndsWith(".done"u8) || type.SequenceEqual("response.completed"u8) || type.SequenceEqual("response.incomplete"u8)
        || type.SequenceEqual("response.failed"u8);

    private static long Utf8Characters(ReadOnlySpan<byte> utf8)
    {
        long count = 0;
        foreach (var b in utf8)
        {
            if ((b & 0xC0) != 0x80)
            {
                count++;
            }
        }

        return count;
    }
}
