using System.Security.Cryptography;

namespace Switchyard.Storage;

/// <summary>
/// Team ids: <c>team_</c> and 16 hex digits. The rate-limit stores count a team under its id as
/// they count a key under its own (<c>key_…</c>, <c>cfg_…</c>), so the prefixes keep the two apart.
/// </summary>
internal static class TeamIds
{
    public const string Prefix = "team_";

    public static string New() => Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
