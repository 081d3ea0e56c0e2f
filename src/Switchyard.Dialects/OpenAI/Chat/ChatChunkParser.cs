using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using static Switchyard.Dialects.OpenAI.Chat.StrictReading;

namespace Switchyard.Dialects.OpenAI.Chat;

/// <summary>
/// Reads a <c>chat.completion.chunk</c> into <see cref="ChatChunkWire"/> the way the serializer does
/// (the same values, the same refusals: a used field of the wrong type, trailing data, invalid
/// JSON), but in one pass with no property tables: a stream has a chunk per token, and this is a
/// third of what translating one costs. Sub-objects read once a stream or rarely (usage, tool
/// calls, annotations, an error) go to the serializer.
/// </summary>
internal static class ChatChunkParser
{
    /// <summary>The chunk; null for a JSON <c>null</c>. Throws <see cref="JsonException"/> where the serializer would.</summary>
    public static ChatChunkWire? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            Next(ref reader);
            var chunk = reader.TokenType == JsonTokenType.Null ? null : ReadChunk(ref reader);
            if (reader.Read())
            {
                throw new JsonException("Data after the chunk.");
            }

            return chunk;
        }
        catch (InvalidOperationException exception)
        {
            // A string that is not valid UTF-8, or a number out of range, as the serializer reports them.
            throw new JsonException(exception.Message, exception);
        }
    }

    private static ChatChunkWire ReadChunk(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        var chunk = new ChatChunkWire();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("id"u8))
            {
                chunk.Id = String(ref reader);
            }
            else if (reader.ValueTextEquals("created"u8))
            {
                Next(ref reader);
                Expect(ref reader, JsonTokenType.Number);
                chunk.Created = reader.TryGetInt64(out var created) ? created : throw new JsonException("'created' is not a 64-bit integer.");
            }
            else if (reader.ValueTextEquals("model"u8))
            {
                chunk.Model = String(ref reader);
            }
            else if (reader.ValueTextEquals("choices"u8))
            {
                chunk.Choices = Choices(ref reader);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                chunk.Usage = Nested(ref reader, ChatCompletionsJsonContext.Default.UsageWire);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                Next(ref reader);
                chunk.Error = reader.TokenType == JsonTokenType.Null ? null : JsonElement.ParseValue(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return chunk;
    }

    private static List<ChatChunkChoiceWire?>? Choices(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(ref reader, JsonTokenType.StartArray);
        var choices = new List<ChatChunkChoiceWire?>(1);
        while (true)
        {
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return choices;
            }

            choices.Add(reader.TokenType == JsonTokenType.Null ? null : Choice(ref reader));
        }
    }

    private static ChatChunkChoiceWire Choice(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        var choice = new ChatChunkChoiceWire();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("delta"u8))
            {
                Next(ref reader);
                choice.Delta = reader.TokenType == JsonTokenType.Null ? null : Delta(ref reader);
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                choice.FinishReason = String(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return choice;
    }

    private static ChatChunkDeltaWire Delta(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        var delta = new ChatChunkDeltaWire();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("content"u8))
            {
                // A string; any other value carries nothing the reader uses (StringOrNothingConverter).
                Next(ref reader);
                delta.Content = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                delta.ToolCalls = Nested(ref reader, ChatCompletionsJsonContext.Default.ListToolCallWire);
            }
            else if (reader.ValueTextEquals("reasoning_content"u8))
            {
                delta.ReasoningContent = String(ref reader);
            }
            else if (reader.ValueTextEquals("refusal"u8))
            {
                delta.Refusal = String(ref reader);
            }
            else if (reader.ValueTextEquals("annotations"u8))
            {
                delta.Annotations = Nested(ref reader, ChatCompletionsJsonContext.Default.ListChatAnnotationWire);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return delta;
    }

    /// <summary>The property's value as a string, or null for JSON null; anything else is refused, as the serializer does.</summary>
    private static string? String(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw new JsonException($"Expected a string, not {reader.TokenType}."),
        };
    }

    /// <summary>
    /// The property's value read by the serializer (a sub-object seen once a stream, or rarely);
    /// null for JSON null without calling it, as OpenAI sends <c>"usage": null</c> in every chunk.
    /// </summary>
    private static T? Nested<T>(ref Utf8JsonReader reader, JsonTypeInfo<T> type)
        where T : class
    {
        Next(ref reader);
        return reader.TokenType == JsonTokenType.Null ? null : JsonSerializer.Deserialize(ref reader, type);
    }
}
