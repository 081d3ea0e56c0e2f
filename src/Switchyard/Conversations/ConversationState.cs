using System.Buffers;
using System.Text.Json;
using Switchyard.Auth;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.OpenAI.Responses;
using Switchyard.Storage;

namespace Switchyard.Conversations;

/// <summary>
/// <c>previous_response_id</c> on every upstream (CONTRACT §4): the gateway stores each answer's
/// whole conversation (per key) and, on the next turn, replaces the id by those items, so any
/// upstream — chat, Anthropic, Gemini, or Responses itself — receives the full conversation.
/// </summary>
public sealed class ConversationState(IConversationStore store, TimeProvider time)
{
    /// <summary>How long stored responses live (default 30 days).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    public async Task<ResponsesTurn> PrepareAsync(ReadOnlyMemory<byte> body, JsonTopLevel topLevel, Caller caller, CancellationToken cancellationToken)
    {
        var storeFlag = topLevel.GetBoolean(body.Span, "store"u8) != false;
        var current = CurrentInputItems(body.Span, topLevel);
        if (topLevel.GetString(body.Span, "previous_response_id"u8) is not { } previousId)
        {
            return new ResponsesTurn { Body = body, TopLevel = topLevel, InputItems = current, Store = storeFlag };
        }

        // Another key's response is as absent as one that never existed.
        var previous = await store.GetAsync(previousId, caller.KeyId, time.GetUtcNow(), cancellationToken)
            ?? throw new GatewayException(new GatewayError(GatewayErrorKind.NotFound, $"Previous response with id '{previousId}' not found.") { Param = "previous_response_id" });
        var items = Concat(System.Text.Encoding.UTF8.GetBytes(previous.Items), current);
        var rebuilt = new ArrayBufferWriter<byte>(body.Length + items.Length);
        new JsonTopLevelEditor().Set("input"u8, items).Remove("previous_response_id"u8).WriteTo(body.Span, topLevel, rebuilt);
        var rebuiltBody = rebuilt.WrittenMemory;
        return new ResponsesTurn
        {
            Body = rebuiltBody,
            TopLevel = JsonTopLevel.Scan(rebuiltBody.Span),
            InputItems = items,
            Store = storeFlag,
            Echo = OpenAIResponsesDialect.EchoOf(body.Span),
        };
    }

    /// <summary>Stores the turn's answer under its response id for the caller's key.</summary>
    public async Task RecordAsync(ResponsesTurn turn, Caller caller, string model, CancellationToken cancellationToken)
    {
        if (!turn.Store || turn.FinalResponse is not { } response)
        {
            return;
        }

        using var document = JsonDocument.Parse(response);
        var root = document.RootElement;
        if (!root.TryGetProperty("id", out var id) || id.GetString() is not { Length: > 0 } responseId)
        {
            return;
        }

        var output = root.TryGetProperty("output", out var items) && items.ValueKind == JsonValueKind.Array
            ? JsonSerializer.SerializeToUtf8Bytes(items, ConversationJsonContext.Default.JsonElement)
            : "[]"u8.ToArray();
        var now = time.GetUtcNow();
        await store.SaveAsync(new ConversationRecord
        {
            Id = responseId,
            KeyId = caller.KeyId,
            Model = model,
            Items = System.Text.Encoding.UTF8.GetString(Concat(turn.InputItems, output)),
            Response = System.Text.Encoding.UTF8.GetString(response),
            CreatedAt = now,
            ExpiresAt = now + Retention,
        }, cancellationToken);
    }

    /// <summary>The request's <c>input</c> as an items array: a string input is one user message.</summary>
    private static byte[] CurrentInputItems(ReadOnlySpan<byte> body, JsonTopLevel topLevel)
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
    private static byte[] Concat(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
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
}
