using Switchyard.Storage;

namespace Switchyard.Console;

/// <summary>
/// What a signed-in user's pages are limited to: one key (a key holder), one team (a viewer whose
/// single sign-on names a team), or nothing (admins and other viewers). Every read of the ledger
/// and the key list goes through it.
/// </summary>
internal sealed record ConsoleScope(string? KeyId, string? TeamId)
{
    /// <summary>
    /// The team of a viewer whose team claim names no team: a value no row carries, so such a
    /// viewer sees nothing rather than everything.
    /// </summary>
    public const string NoTeam = "";

    public static ConsoleScope Everything { get; } = new(null, null);

    public bool Includes(KeyRecord key) => (KeyId is null || key.Id == KeyId) && (TeamId is null || key.TeamId == TeamId);

    public bool Includes(TeamRecord team) => KeyId is null && (TeamId is null || team.Id == TeamId);

    /// <summary>The filter, narrowed to what this user may see (their key or team wins over anything asked).</summary>
    public UsageFilter Narrow(UsageFilter filter) => filter with { KeyId = KeyId ?? filter.KeyId, TeamId = TeamId ?? filter.TeamId };
}
