using System.Security.Cryptography;
using Switchyard.Storage;

namespace Switchyard.Auth;

/// <summary>Creates keys for the admin API and the CLI: the secret is returned once and only its hash is stored.</summary>
internal static class KeyIssuer
{
    public static (KeyRecord Record, string Secret) Create(
        string name,
        IReadOnlyList<string>? allowedModels,
        int? rpm,
        int? tpm,
        int? maxConcurrent,
        decimal? credits,
        DateTimeOffset? expiresAt,
        DateTimeOffset now)
    {
        var secret = KeyHasher.NewSecret();
        var record = new KeyRecord
        {
            Id = "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Name = name,
            Prefix = KeyHasher.Prefix(secret),
            Hash = KeyHasher.Hash(secret),
            AllowedModels = allowedModels,
            Rpm = rpm,
            Tpm = tpm,
            MaxConcurrent = maxConcurrent,
            Credits = credits,
            ExpiresAt = expiresAt,
            CreatedAt = now,
        };
        return (record, secret);
    }
}
