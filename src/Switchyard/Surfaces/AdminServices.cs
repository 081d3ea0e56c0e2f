using Microsoft.Extensions.Logging;
using Switchyard.Alerts;
using Switchyard.Auth;
using Switchyard.Diagnostics;
using Switchyard.Metering;
using Switchyard.Storage;

namespace Switchyard.Surfaces;

/// <summary>What the admin routes and the console work with, injected as one parameter, and the key changes both make.</summary>
internal sealed class AdminServices(
    IKeyStore keys,
    IUsageLedger ledger,
    UsageWriter writer,
    ApiKeyAuthenticator authenticator,
    TimeProvider time,
    ILogger<AdminServices> logger,
    IAlertSink? alerts = null)
{
    public IKeyStore Keys => keys;

    public IUsageLedger Ledger => ledger;

    public UsageWriter Writer => writer;

    public ApiKeyAuthenticator Authenticator => authenticator;

    public TimeProvider Time => time;

    public ILogger Logger => logger;

    /// <summary>
    /// Revokes the key at once in this process (other processes drop their cached copy within its
    /// 4-second lifetime) and announces it, the first time only; false when no such key exists.
    /// </summary>
    public async Task<bool> RevokeKeyAsync(string id, CancellationToken cancellationToken)
    {
        var key = await keys.GetAsync(id, cancellationToken);
        if (key is null || !await keys.RevokeAsync(id, time.GetUtcNow(), cancellationToken))
        {
            return false;
        }

        authenticator.Invalidate();
        logger.KeyChanged(id, "revoked");
        if (key.RevokedAt is null)
        {
            alerts?.KeyRevoked(id, key.Name);
        }

        return true;
    }

    /// <summary>Creates a key; the secret is returned this once and only its hash is stored.</summary>
    public async Task<(KeyRecord Record, string Secret)> CreateKeyAsync(KeyRecord fields, CancellationToken cancellationToken)
    {
        var (record, secret) = KeyIssuer.Create(fields.Name, fields.AllowedModels, fields.Rpm, fields.Tpm, fields.MaxConcurrent, fields.Credits,
            fields.ExpiresAt, time.GetUtcNow());
        await keys.InsertAsync(record, cancellationToken);
        logger.KeyChanged(record.Id, "created");
        return (record, secret);
    }

    /// <summary>
    /// Sets the fields of <paramref name="key"/> that differ from <paramref name="before"/>, so a
    /// form's change never writes back a value it only read (a concurrent top-up stays); false when
    /// no such key exists.
    /// </summary>
    public async Task<bool> UpdateKeyAsync(KeyRecord before, KeyRecord key, CancellationToken cancellationToken)
    {
        var changes = new KeyChanges
        {
            Name = key.Name != before.Name ? new(key.Name) : default,
            AllowedModels = !(key.AllowedModels ?? []).SequenceEqual(before.AllowedModels ?? []) || (key.AllowedModels is null) != (before.AllowedModels is null)
                ? new(key.AllowedModels) : default,
            Rpm = key.Rpm != before.Rpm ? new(key.Rpm) : default,
            Tpm = key.Tpm != before.Tpm ? new(key.Tpm) : default,
            MaxConcurrent = key.MaxConcurrent != before.MaxConcurrent ? new(key.MaxConcurrent) : default,
            Credits = key.Credits != before.Credits ? new(key.Credits) : default,
            ExpiresAt = key.ExpiresAt != before.ExpiresAt ? new(key.ExpiresAt) : default,
        };
        if (changes.None)
        {
            return await keys.GetAsync(key.Id, cancellationToken) is not null;
        }

        if (await keys.UpdateAsync(key.Id, changes, cancellationToken) is null)
        {
            return false;
        }

        authenticator.Invalidate();
        logger.KeyChanged(key.Id, "updated");
        return true;
    }

    /// <summary>Adds (or with a negative amount, takes) credits; null when no such key exists.</summary>
    public async Task<KeyRecord?> AddCreditsAsync(string id, decimal amount, CancellationToken cancellationToken)
    {
        var key = await keys.AddCreditsAsync(id, amount, cancellationToken);
        if (key is not null)
        {
            authenticator.Invalidate();
            logger.KeyChanged(id, "credited");
        }

        return key;
    }

    /// <summary>Credits spent by the key, this process's queued rows included.</summary>
    public async Task<decimal> SpentAsync(string keyId, CancellationToken cancellationToken)
    {
        await writer.FlushAsync(cancellationToken);
        return await ledger.SpentAsync(keyId, cancellationToken);
    }
}
