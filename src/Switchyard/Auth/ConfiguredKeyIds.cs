using System.Buffers;
using Switchyard.Configuration;

namespace Switchyard.Auth;

/// <summary>
/// The ids of keys declared in the configuration file: <c>cfg_</c> and the key's name. An id is
/// shown in the request log, the admin API and logs, so it must tell nothing about the secret;
/// ids used to be the first 12 hex digits of the secret's SHA-256, a check against which anyone
/// who saw an id could test guesses of a human-chosen secret offline. A name also survives a
/// change of secret, so rotating a leaked key keeps its ledger and its credits spent.
/// </summary>
internal static class ConfiguredKeyIds
{
    public const string Prefix = "cfg_";

    public const int MaxNameLength = 64;

    private static readonly SearchValues<char> NameCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    public static string Of(KeyOptions key) => Prefix + key.Name;

    /// <summary>Names become ids in URLs and logs: letters, digits, '-', '_' and '.' only.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= MaxNameLength && !name.AsSpan().ContainsAnyExcept(NameCharacters);

    /// <summary>The id an older Switchyard gave the key, from its secret; rows under it are moved to <see cref="Of"/> at start.</summary>
    public static string Legacy(string secret) => Prefix + KeyHasher.Hash(secret)[..12];
}
