using System.Security.Cryptography;
using System.Text;

namespace Switchyard.Auth;

/// <summary>
/// Secrets are stored and compared only as SHA-256 hashes. API keys are long random strings, not
/// passwords, so a fast hash is the right tool: it is not brute-forceable at that entropy.
/// </summary>
internal static class KeyHasher
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>A new secret: <c>sk-sy-</c> and 40 random base62 characters (about 238 bits).</summary>
    public static string NewSecret() => "sk-sy-" + RandomNumberGenerator.GetString(Alphabet, 40);

    public static string Prefix(string secret) => secret.Length <= 8 ? secret : secret[..8];

    /// <summary>Constant-time comparison of two hex hashes.</summary>
    public static bool HashesEqual(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
