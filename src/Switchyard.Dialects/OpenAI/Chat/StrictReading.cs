using System.Text.Json;

namespace Switchyard.Dialects.OpenAI.Chat;

/// <summary>
/// The steps the hand-written readers (<see cref="ChatChunkParser"/>, <see cref="ChatUsageReader"/>)
/// take through a <see cref="Utf8JsonReader"/>, refusing with a <see cref="JsonException"/> where the
/// serializer would.
/// </summary>
internal static class StrictReading
{
    /// <summary>Moves to the next property name of the object being read; false at its end.</summary>
    public static bool NextProperty(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        return reader.TokenType == JsonTokenType.PropertyName;
    }

    /// <summary>Skips the value of the property just read.</summary>
    public static void SkipValue(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        reader.Skip();
    }

    public static void Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("The JSON ends early.");
        }
    }

    public static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (reader.TokenType != type)
        {
            throw new JsonException($"Expected {type}, not {reader.TokenType}.");
        }
    }
}
