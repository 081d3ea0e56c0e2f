using Switchyard.Auth;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;
using Switchyard.Storage;

namespace Switchyard.Conversations;

/// <summary>
/// Stored conversations on every upstream: the gateway stores each answer's whole conversation
/// (per key) and, on the next turn, replaces the reference to it by its items, so any upstream —
/// chat, Anthropic, Gemini, or the storing dialect itself — receives the full conversation.
/// </summary>
internal sealed class ConversationState(IConversationStore store, TimeProvider time, Configuration.SnapshotMonitor snapshots)
{

    /// <summary>Reads what the body asks of the store and, when it continues a conversation, the body to serve instead.</summary>
    public async Task<(ConversationTurn Turn, ReadOnlyMemory<byte>? Continued)> PrepareAsync(
        IStoredConversation dialect, ReadOnlyMemory<byte> body, JsonTopLevel topLevel, Caller caller, CancellationToken cancellationToken)
    {
        var asked = dialect.ReadTurn(body.Span, topLevel);
        if (asked.PreviousId is not { } previousId)
        {
            return (new ConversationTurn(dialect) { InputItems = asked.InputItems, Store = asked.Store }, null);
        }

        // Another key's answer is as absent as one that never existed.
        var previous = await store.GetAsync(previousId, caller.KeyId, time.GetUtcNow(), cancellationToken)
            ?? throw new GatewayException(dialect.NotFound(previousId, continuing: true));
        var items = dialect.Join(System.Text.Encoding.UTF8.GetBytes(previous.Items), asked.InputItems);
        var turn = new ConversationTurn(dialect)
        {
            InputItems = items,
            Store = asked.Store,
            Echo = dialect.EchoOf(body.Span),
        };
        return (turn, dialect.Continue(body.Span, topLevel, items));
    }

    /// <summary>Stores the turn's answer under its id for the caller's key.</summary>
    public async Task RecordAsync(ConversationTurn turn, Caller caller, string model, CancellationToken cancellationToken)
    {
        if (!turn.Store || turn.FinalResponse is not { } response || turn.Dialect.ReadAnswer(response) is not { } answer)
        {
            return;
        }

        var now = time.GetUtcNow();
        await store.SaveAsync(new ConversationRecord
        {
            Id = answer.Id,
            KeyId = caller.KeyId,
            Model = model,
            Items = System.Text.Encoding.UTF8.GetString(turn.Dialect.Join(turn.InputItems, answer.OutputItems)),
            Response = System.Text.Encoding.UTF8.GetString(response),
            CreatedAt = now,
            ExpiresAt = now + snapshots.Current.ConversationRetention,
        }, cancellationToken);
    }

    /// <summary>A stored answer as it was given, for the caller's key only.</summary>
    public Task<ConversationRecord?> GetAsync(string id, Caller caller, CancellationToken cancellationToken) =>
        store.GetAsync(id, caller.KeyId, time.GetUtcNow(), cancellationToken);

    public Task<bool> DeleteAsync(string id, Caller caller, CancellationToken cancellationToken) =>
        store.DeleteAsync(id, caller.KeyId, cancellationToken);
}
