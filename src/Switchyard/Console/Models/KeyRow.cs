using Switchyard.Storage;

namespace Switchyard.Console.Models;

/// <summary>A key with its spending; configured keys (from the file) are read-only here and carry no stored record.</summary>
public sealed record KeyRow(KeyRecord Key, decimal Spent, bool Configured)
{
    public decimal? Remaining => Key.Credits is { } granted ? granted - Spent : null;

    public bool Revoked => Key.RevokedAt is not null;
}
