using Microsoft.Extensions.Logging;
using Switchyard.Alerts;
using Switchyard.Auth;
using Switchyard.Diagnostics;
using Switchyard.Metering;
using Switchyard.Storage;

namespace Switchyard.Surfaces;

/// <summary>What the admin routes and the console work with, injected as one parameter, and the key changes both make.</summary>
public sealed class AdminServices(
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

    /// <summary>Replaces the key's mutable fields; false when no such key exists.</summary>
    public async Task<bool> UpdateKeyAsync(KeyRecord key, CancellationToken cancellationToken)
    {
        if (!await keys.UpdateAsync(key, cancellationToken))
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
