using System.Text.Json;
using System.Text.Unicode;
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
    private const int MaxReusedChoices = 4;

    /// <summary>
    /// The chunk; null for a JSON <c>null</c>. Throws <see cref="JsonException"/> where the serializer
    /// would. Without <paramref name="identity"/>, <c>id</c> and <c>model</c> are checked as the
    /// serializer checks them but left null: a stream reader needs them from its first chunk only,
    /// and reading them into strings was a tenth of what a translated stream allocated.
    /// With <paramref name="into"/>, the chunk is read into that one (and its list, first choice and
    /// delta), as a new one would be: a stream reader reuses one chunk for all of its chunks.
    /// </summary>
    public static ChatChunkWire? Parse(ReadOnlySpan<byte> json, bool identity = true, ChatChunkWire? into = null)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            Next(ref reader);
            var chunk = reader.TokenType == JsonTokenType.Null ? null : ReadChunk(ref reader, identity, into);
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

    private static ChatChunkWire ReadChunk(ref Utf8JsonReader reader, bool identity, ChatChunkWire? into)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        var chunk = into ?? new ChatChunkWire();
        var spareChoices = chunk.Choices;
        chunk.Id = null;
        chunk.Created = 0;
        chunk.Model = null;
        chunk.Choices = null;
        chunk.Usage = null;
        chunk.Error = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("id"u8))
            {
                chunk.Id = identity ? String(ref reader) : Unread(ref reader);
            }
            else if (reader.ValueTextEquals("created"u8))
            {
                Next(ref reader);
                Expect(ref reader, JsonTokenType.Number);
                chunk.Created = reader.TryGetInt64(out var created) ? created : throw new JsonException("'created' is not a 64-bit integer.");
            }
            else if (reader.ValueTextEquals("model"u8))
            {
                chunk.Model = identity ? String(ref reader) : Unread(ref reader);
            }
            else if (reader.ValueTextEquals("choices"u8))
            {
                chunk.Choices = Choices(ref reader, chunk.Choices ?? spareChoices);
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

    private static List<ChatChunkChoiceWire?>? Choices(ref Utf8JsonReader reader, List<ChatChunkChoiceWire?>? into)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(ref reader, JsonTokenType.StartArray);

        // Streams carry one choice: only the first is read into a reused one. A list an upstream
        // grew with many choices is not kept for the rest of its stream.
        var spare = into is { Count: > 0 } ? into[0] : null;
        var choices = into is { Capacity: <= MaxReusedChoices } ? into : new List<ChatChunkChoiceWire?>(1);
        choices.Clear();
        while (true)
        {
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return choices;
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                choices.Add(null);
                continue;
            }

            choices.Add(Choice(ref reader, spare));
            spare = null;
        }
    }

    private static ChatChunkChoiceWire Choice(ref Utf8JsonReader reader, ChatChunkChoiceWire? into)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        var choice = into ?? new ChatChunkChoiceWire();
        var spareDelta = choice.Delta;
        choice.Delta = null;
        choice.FinishReason = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("delta"u8))
            {
                Next(ref reader);
                choice.Delta = reader.TokenType == JsonTokenType.Null ? null : Delta(ref reader, choice.Delta ?? spareDelta);
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

    private static ChatChunkDeltaWire Delta(ref Utf8JsonReader reader, ChatChunkDeltaWire? into)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        var delta = into ?? new ChatChunkDeltaWire();
        delta.Content = null;
        delta.ToolCalls = null;
        delta.ReasoningContent = null;
        delta.Refusal = null;
        delta.Annotations = null;
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

    /// <summary>What <see cref="String"/> accepts and refuses, with no string made: null.</summary>
    private static string? Unread(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        switch (reader.TokenType)
        {
            case JsonTokenType.String when reader.ValueIsEscaped:
                // Rare: an escape may hide an invalid surrogate, which only decoding finds.
                _ = reader.GetString();
                return null;
            case JsonTokenType.String:
                // The reader is over one span: a string's value is never a sequence here.
                return Utf8.IsValid(reader.ValueSpan) ? null : throw new JsonException("A string that is not valid UTF-8.");
            case JsonTokenType.Null:
                return null;
            default:
                throw new JsonException($"Expected a string, not {reader.TokenType}.");
        }
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
