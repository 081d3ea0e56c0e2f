using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects;

/// <summary>
/// A dialect whose answers the gateway stores and continues (OpenAI Responses'
/// <c>previous_response_id</c>): on the next turn the stored conversation replaces the id, so any
/// upstream receives the whole conversation. The host keeps the store; the dialect reads and
/// writes the items.
/// </summary>
public interface IStoredConversation
{
    /// <summary>What a request asks of the store: the answer it continues, whether to keep this one, its own input items.</summary>
    ConversationTurnRequest ReadTurn(ReadOnlySpan<byte> body, JsonTopLevel topLevel);

    /// <summary>The body with the stored items before its own input, and the continuation reference removed.</summary>
    ReadOnlyMemory<byte> Continue(ReadOnlySpan<byte> body, JsonTopLevel topLevel, ReadOnlySpan<byte> allItems);

    /// <summary>What the answer repeats of the client's own request, read before <see cref="Continue"/> rewrote it.</summary>
    JsonElement? EchoOf(ReadOnlySpan<byte> body);

    /// <summary>The id of a stored answer and the items it adds to the conversation, or null when it has no id.</summary>
    (string Id, byte[] OutputItems)? ReadAnswer(ReadOnlySpan<byte> answer);

    /// <summary>Joins two item arrays.</summary>
    byte[] Join(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second);

    /// <summary>An id for an answer the gateway writes itself.</summary>
    string NewAnswerId();

    void WriteDeleted(string id, IBufferWriter<byte> output);

    /// <summary>The error for an id that is not stored (or belongs to another key).</summary>
    GatewayError NotFound(string id, bool continuing);
}

/// <summary>What one request asks of the conversation store.</summary>
public sealed record ConversationTurnRequest(string? PreviousId, bool Store, byte[] InputItems);
