
namespace Switchyard.Storage;

/// <summary>
/// The configured store's parts, opened together on one database. <see cref="Limits"/> is where
/// rate windows, requests in flight and credit reservations are counted: in this process for
/// SQLite, in the shared database for PostgreSQL so a fleet counts as one gateway.
/// </summary>
internal sealed record Stores(IKeyStore Keys, IConversationStore Conversations, IUsageLedger Ledger, IRateLimitStore Limits) : IAsyncDisposable
{
    /// <summary>The teams keys may belong to, in the same database.</summary>
    public required ITeamStore Teams { get; init; }

    /// <summary>The database connection pool the parts share, closed with them.</summary>
    public IAsyncDisposable? Database { get; init; }

    public async ValueTask DisposeAsync()
    {
        // The limits first: a PostgreSQL gateway hands its leases back on the way out.
        if (Limits is IAsyncDisposable limits)
        {
            await limits.DisposeAsync();
        }

        if (Database is not null)
        {
            await Database.DisposeAsync();
        }
    }
}
