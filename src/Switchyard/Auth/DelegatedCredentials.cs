using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Switchyard.Auth;

/// <summary>
/// Short-lived credentials that let the console's playground call the gateway's own routes as a
/// key without holding its secret (only hashes are stored) and without the browser ever seeing
/// one. A credential names a key id and an expiry, MAC'd with a random key of this process, so it
/// is good only here, for a minute, and is never stored or sent anywhere but to this process.
/// </summary>
internal sealed class DelegatedCredentials(TimeProvider time)
{
    public const string Prefix = "sy-delegated.";

    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Issue(string keyId)
    {
        var payload = keyId + "|" + (time.GetUtcNow() + Lifetime).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var bytes = Encoding.UTF8.GetBytes(payload);
        return Prefix + Convert.ToBase64String(bytes) + "." + Convert.ToBase64String(HMACSHA256.HashData(_key, bytes));
    }

    /// <summary>The key id of a valid, unexpired credential; null for anything else.</summary>
    public string? Read(string credential)
    {
        if (!credential.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = credential[Prefix.Length..].Split('.');
        byte[] payload;
        byte[] mac;
        try
        {
            payload = Convert.FromBase64String(parts[0]);
            mac = parts.Length == 2 ? Convert.FromBase64String(parts[1]) : [];
        }
        catch (FormatException)
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(_key, payload)))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(payload);
        var bar = text.LastIndexOf('|');
        return bar > 0
            && long.TryParse(text.AsSpan(bar + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            && time.GetUtcNow().ToUnixTimeMilliseconds() < expires
            ? text[..bar]
            : null;
    }
}
