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

    // Every request hashes its key: a key of ordinary length is encoded and hashed on the stack.
    private const int StackBytes = 512;

    /// <summary>Characters in a hash: SHA-256 in lower-case hex.</summary>
    public const int HexLength = SHA256.HashSizeInBytes * 2;

    public static string Hash(string secret)
    {
        Span<char> hex = stackalloc char[HexLength];
        Hash(secret, hex);
        return new string(hex);
    }

    /// <summary><see cref="Hash(string)"/> into <paramref name="hex"/> (<see cref="HexLength"/> characters), for lookups that need no string.</summary>
    public static void Hash(string secret, Span<char> hex)
    {
        var length = Encoding.UTF8.GetMaxByteCount(secret.Length);
        var rented = length > StackBytes ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            Span<byte> utf8 = rented is null ? stackalloc byte[StackBytes] : rented;
            var written = Encoding.UTF8.GetBytes(secret, utf8);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(utf8[..written], hash);
            Convert.TryToHexStringLower(hash, hex, out _);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }

    /// <summary>A new secret: <c>sk-sy-</c> and 40 random base62 characters (about 238 bits).</summary>
    public static string NewSecret() => "sk-sy-" + RandomNumberGenerator.GetString(Alphabet, 40);

    public static string Prefix(string secret) => secret.Length <= 8 ? secret : secret[..8];

    /// <summary>Constant-time comparison of two hex hashes.</summary>
    public static bool HashesEqual(ReadOnlySpan<char> a, ReadOnlySpan<char> b) =>
        CryptographicOperations.FixedTimeEquals(System.Runtime.InteropServices.MemoryMarshal.AsBytes(a), System.Runtime.InteropServices.MemoryMarshal.AsBytes(b));
}
