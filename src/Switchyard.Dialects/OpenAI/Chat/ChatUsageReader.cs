using System.Text.Json;
using Switchyard.Dialects.Canonical;
using static Switchyard.Dialects.OpenAI.Chat.StrictReading;

namespace Switchyard.Dialects.OpenAI.Chat;

/// <summary>
/// Reads a Chat Completions <c>usage</c> object as the serializer reads it into
/// <see cref="UsageWire"/> and <see cref="ChatCompletionsMapping.ToCanonical(UsageWire)"/> maps it
/// (the same values; <see cref="Usage.Empty"/> wherever the serializer refuses: a used field of the
/// wrong type, a fraction, an integer out of range, invalid JSON), in one pass and without the
/// serializer's read stack, which its nested details objects cost on every answer and stream.
/// </summary>
internal static class ChatUsageReader
{
    public static Usage Read(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.Null)
            {
                return Usage.Empty;
            }

            Expect(ref reader, JsonTokenType.StartObject);
            long prompt = 0, completion = 0, cached = 0, reasoning = 0;
            while (NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("prompt_tokens"u8))
                {
                    prompt = Int64(ref reader);
                }
                else if (reader.ValueTextEquals("completion_tokens"u8))
                {
                    completion = Int64(ref reader);
                }
                else if (reader.ValueTextEquals("total_tokens"u8))
                {
                    Int64(ref reader);
                }
                else if (reader.ValueTextEquals("prompt_tokens_details"u8))
                {
                    cached = Details(ref reader, "cached_tokens"u8, "cache_creation_tokens"u8);
                }
                else if (reader.ValueTextEquals("completion_tokens_details"u8))
                {
                    reasoning = Details(ref reader, "reasoning_tokens"u8, default);
                }
                else if (reader.ValueTextEquals("cost"u8))
                {
                    Next(ref reader);
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        Expect(ref reader, JsonTokenType.Number);
                        _ = reader.TryGetDecimal(out _) ? 0 : throw new JsonException("'cost' is not a decimal.");
                    }
                }
                else
                {
                    SkipValue(ref reader);
                }
            }

            return Usage.FromInclusive(prompt, cached, completion, reasoning);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // Invalid JSON, or a value the serializer would not convert: the usage is unreadable as a whole.
            return Usage.Empty;
        }
    }

    /// <summary>
    /// A details object's <paramref name="kept"/> count (0 when the object or the count is null or
    /// absent); <paramref name="checkedOnly"/> must be an integer or null too, as the serializer has it.
    /// </summary>
    private static long Details(ref Utf8JsonReader reader, ReadOnlySpan<byte> kept, ReadOnlySpan<byte> checkedOnly)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return 0;
        }

        Expect(ref reader, JsonTokenType.StartObject);
        long value = 0;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals(kept))
            {
                value = NullableInt64(ref reader);
            }
            else if (!checkedOnly.IsEmpty && reader.ValueTextEquals(checkedOnly))
            {
                NullableInt64(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return value;
    }

    private static long Int64(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        Expect(ref reader, JsonTokenType.Number);
        return reader.TryGetInt64(out var value) ? value : throw new JsonException("Not a 64-bit integer.");
    }

    private static long NullableInt64(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return 0;
        }

        Expect(ref reader, JsonTokenType.Number);
        return reader.TryGetInt64(out var value) ? value : throw new JsonException("Not a 64-bit integer.");
    }
}
