using System.Security.Cryptography;
using System.Text;
using CsCheck;
using Switchyard.Auth;

namespace Switchyard.Tests.Auth;

/// <summary>
/// Stored key hashes must not change when the hashing code does: a key hashed on the stack, or
/// through a rented buffer when it is long, is the lower-case hex SHA-256 of its UTF-8 bytes.
/// </summary>
public sealed class KeyHasherTests
{
    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    public void Hashes_a_key_as_the_hex_sha256_of_its_utf8(string secret, string expected) =>
        Assert.Equal(expected, KeyHasher.Hash(secret));

    [Fact]
    public void Any_key_short_or_long_hashes_as_its_utf8_bytes_do()
    {
        // Up to 400 chars: past the stack buffer for three-byte characters; lone surrogates become U+FFFD in both.
        Gen.String[Gen.Char, 0, 400].Sample(secret =>
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))), KeyHasher.Hash(secret)), iter: 5_000);
    }

    [Fact]
    public void Hashes_into_characters_as_into_a_string()
    {
        Gen.String.Sample(secret =>
        {
            Span<char> hex = stackalloc char[KeyHasher.HexLength];
            KeyHasher.Hash(secret, hex);
            Assert.Equal(KeyHasher.Hash(secret), hex.ToString());
        }, iter: 2_000);
    }

    [Fact]
    public void Compares_hashes_by_every_character()
    {
        var hash = KeyHasher.Hash("sk-one");
        Assert.True(KeyHasher.HashesEqual(hash, KeyHasher.Hash("sk-one")));
        Assert.False(KeyHasher.HashesEqual(hash, KeyHasher.Hash("sk-two")));
        Assert.False(KeyHasher.HashesEqual(hash, hash.AsSpan(..^1)));
    }
}
