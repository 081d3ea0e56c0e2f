namespace Switchyard.Storage;

/// <summary>
/// How a request's charge was settled against its key's credits. The whole cost is always
/// charged; <see cref="Held"/> is the part of it covered by a slice of credits this process
/// leased (PostgreSQL), which stays in the key's reservation under <see cref="Holder"/> until
/// the ledger writes the row and moves it to spent. The rest, what a request cost beyond its
/// reservation and its process's slice, the ledger adds to spent directly.
/// </summary>
internal readonly record struct Settlement(decimal Held, Guid? Holder)
{
    public static Settlement None => default;
}
