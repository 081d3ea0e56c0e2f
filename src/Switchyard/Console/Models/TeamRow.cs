using Switchyard.Storage;

namespace Switchyard.Console.Models;

/// <summary>A team with what its keys spent together and how many keys (not revoked) it has.</summary>
public sealed record TeamRow(TeamRecord Team, decimal Spent, int Keys)
{
    public decimal? Remaining => Team.Credits is { } granted ? granted - Spent : null;
}
