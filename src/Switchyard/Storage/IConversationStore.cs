namespace Switchyard.Storage;

/// <summary>Responses kept for <c>previous_response_id</c>, per key: a key never sees another key's records.</summary>
internal interface IConversationStore
{
    Task SaveAsync(ConversationRecord record, CancellationToken cancellationToken);

    /// <summary>The record if it exists, belongs to <paramref name="keyId"/> and has not expired.</summary>
    Task<ConversationRecord?> GetAsync(string id, string keyId, DateTimeOffset now, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string id, string keyId, CancellationToken cancellationToken);

    /// <summary>Gives a key's records to another key id (see <see cref="IUsageLedger.MoveKeyAsync"/>); returns how many.</summary>
    Task<int> MoveKeyAsync(string fromKeyId, string toKeyId, CancellationToken cancellationToken);

    /// <summary>Deletes expired records; returns how many.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
