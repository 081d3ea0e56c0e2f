namespace Switchyard.Storage;

/// <summary>Keys and the few gateway settings (such as the generated master key's hash), in the configured store.</summary>
internal interface IKeyStore
{
    /// <summary>Creates or upgrades the schema.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<KeyRecord?> FindByHashAsync(string hash, CancellationToken cancellationToken);

    Task<KeyRecord?> GetAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<KeyRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>The hashes of keys not revoked, made at or after <paramref name="since"/> (all when null), with when they were made.</summary>
    Task<IReadOnlyList<(string Hash, DateTimeOffset CreatedAt)>> ListHashesAsync(DateTimeOffset? since, CancellationToken cancellationToken);

    /// <summary>Stores the key; false (and nothing stored) when the team it names does not exist.</summary>
    Task<bool> InsertAsync(KeyRecord key, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the fields the change names, and only those, in one statement; returns the key as it
    /// now stands, or null when no such key exists or the team the change names does not.
    /// </summary>
    Task<KeyRecord?> UpdateAsync(string id, KeyChanges changes, CancellationToken cancellationToken);

    /// <summary>
    /// Adds <paramref name="amount"/> (which may be negative) to the credits granted, atomically, so
    /// two top-ups at once both count; a key without a credit limit starts from zero. Null when no such key exists.
    /// </summary>
    Task<KeyRecord?> AddCreditsAsync(string id, decimal amount, CancellationToken cancellationToken);

    /// <summary>Marks the key revoked; false when no such key exists.</summary>
    Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    Task<string?> GetSettingAsync(string name, CancellationToken cancellationToken);

    /// <summary>Stores the setting unless one of that name exists; returns the value now stored.</summary>
    Task<string> SetSettingIfAbsentAsync(string name, string value, CancellationToken cancellationToken);
}
