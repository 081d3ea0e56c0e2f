using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.OpenAI.Responses;

/// <summary>
/// The item arithmetic of <c>previous_response_id</c>: a conversation is the items of every turn's
/// input and output, in order; continuing it puts them before the new turn's own input.
/// </summary>
internal static class ResponsesConversation
{
    public static ConversationTurnRequest ReadTurn(ReadOnlySpan<byte> body, JsonTopLevel topLevel) => new(
        topLevel.GetString(body, "previous_response_id"u8),
        topLevel.GetBoolean(body, "store"u8) != false,
        InputItems(body, topLevel));

    public static ReadOnlyMemory<byte> Continue(ReadOnlySpan<byte> body, JsonTopLevel topLevel, ReadOnlySpan<byte> allItems)
    {
        var rebuilt = new ArrayBufferWriter<byte>(body.Length + allItems.Length);
        new JsonTopLevelEditor().Set("input"u8, allItems).Remove("previous_response_id"u8).WriteTo(body, topLevel, rebuilt);
        return rebuilt.WrittenMemory;
    }

    public static (string Id, byte[] OutputItems)? ReadAnswer(ReadOnlySpan<byte> answer)
    {
        var topLevel = JsonTopLevel.Scan(answer);
        if (topLevel.GetString(answer, "id"u8) is not { Length: > 0 } id)
        {
            return null;
        }

        var output = topLevel.TryGet(answer, "output"u8, out var items) && items.ValueKind == JsonTokenType.StartArray
            ? answer[items.Value].ToArray()
            : "[]"u8.ToArray();
        return (id, output);
    }

    /// <summary>The request's <c>input</c> as an items array: a string input is one user message.</summary>
    private static byte[] InputItems(ReadOnlySpan<byte> body, JsonTopLevel topLevel)
    {
        if (!topLevel.TryGet(body, "input"u8, out var input))
        {
            return "[]"u8.ToArray();
        }

        if (input.ValueKind == JsonTokenType.StartArray)
        {
            return body[input.Value].ToArray();
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonWire.WriterOptions))
        {
            writer.WriteStartArray();
            writer.WriteStartObject();
            writer.WriteString("role"u8, "user"u8);
            writer.WritePropertyName("content"u8);
            writer.WriteRawValue(body[input.Value]);
            writer.WriteEndObject();
            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Joins two JSON arrays.</summary>
    public static byte[] Join(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var a = first.Trim(" \r\n\t"u8);
        var b = second.Trim(" \r\n\t"u8);
        var aEmpty = a.Length <= 2 || a[1..^1].Trim(" \r\n\t"u8).IsEmpty;
        var bEmpty = b.Length <= 2 || b[1..^1].Trim(" \r\n\t"u8).IsEmpty;
        if (aEmpty)
        {
            return b.ToArray();
        }

        if (bEmpty)
        {
            return a.ToArray();
        }

        var result = new byte[a.Length + b.Length - 1];
        a[..^1].CopyTo(result);
        result[a.Length - 1] = (byte)',';
        b[1..].CopyTo(result.AsSpan(a.Length));
        return result;
    }

    public static void WriteDeleted(string id, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("id"u8, id);
        writer.WriteString("object"u8, "response"u8);
        writer.WriteBoolean("deleted"u8, true);
        writer.WriteEndObject();
    }
}
