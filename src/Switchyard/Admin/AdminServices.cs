using Microsoft.Extensions.Logging;
using Switchyard.Alerts;
using Switchyard.Auth;
using Switchyard.Diagnostics;
using Switchyard.Metering;
using Switchyard.Storage;

namespace Switchyard.Admin;

/// <summary>
/// What the admin routes, the account route and the console work with, injected as one parameter:
/// the key and team changes they make and the reads they show. They reach the stores only through
/// it, so a change (cache invalidation, a log line, an alert) is made the same way from every door.
/// </summary>
internal sealed class AdminServices(
    IKeyStore keys,
    ITeamStore teams,
    IUsageLedger ledger,
    UsageWriter writer,
    ApiKeyAuthenticator authenticator,
    TimeProvider time,
    ILogger<AdminServices> logger,
    IAlertSink? alerts = null)
{
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

    /// <summary>Creates a key; the secret is returned this once and only its hash is stored. Null when the team it names does not exist.</summary>
    public async Task<(KeyRecord Record, string Secret)?> CreateKeyAsync(KeyRecord fields, CancellationToken cancellationToken)
    {
        var (record, secret) = KeyIssuer.Create(fields.Name, fields.AllowedModels, fields.Rpm, fields.Tpm, fields.MaxConcurrent, fields.Credits,
            fields.ExpiresAt, time.GetUtcNow());
        record = record with { TeamId = fields.TeamId };
        if (!await keys.InsertAsync(record, cancellationToken))
        {
            return null;
        }

        authenticator.Known.Add(record.Hash);
        logger.KeyChanged(record.Id, "created");
        return (record, secret);
    }

    /// <summary>
    /// Sets the fields of <paramref name="key"/> that differ from <paramref name="before"/>, so a
    /// form's change never writes back a value it only read (a concurrent top-up stays); false when
    /// no such key exists or the team it names does not.
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
            Team = key.TeamId != before.TeamId ? new(key.TeamId) : default,
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

    /// <summary>Credits spent by the team's keys together, this process's queued rows included.</summary>
    public async Task<decimal> TeamSpentAsync(string teamId, CancellationToken cancellationToken)
    {
        await writer.FlushAsync(cancellationToken);
        return await ledger.TeamSpentAsync(teamId, cancellationToken);
    }

    /// <summary>Creates a team; null when another team has the name.</summary>
    public async Task<TeamRecord?> CreateTeamAsync(TeamRecord fields, CancellationToken cancellationToken)
    {
        var team = fields with { Id = TeamIds.New(), CreatedAt = time.GetUtcNow() };
        if (await teams.InsertAsync(team, cancellationToken) != TeamWrite.Done)
        {
            return null;
        }

        logger.TeamChanged(team.Id, "created");
        return team;
    }

    /// <summary>Sets the fields the change names; the team's keys are bound by the new limits here at once and elsewhere within 5 seconds.</summary>
    public async Task<(TeamWrite Outcome, TeamRecord? Team)> UpdateTeamAsync(string id, TeamChanges changes, CancellationToken cancellationToken)
    {
        var updated = await teams.UpdateAsync(id, changes, cancellationToken);
        if (updated.Outcome == TeamWrite.Done && !changes.None)
        {
            authenticator.Invalidate();
            logger.TeamChanged(id, "updated");
        }

        return updated;
    }

    /// <summary>Adds (or with a negative amount, takes) the team's credits; null when no such team exists.</summary>
    public async Task<TeamRecord?> AddTeamCreditsAsync(string id, decimal amount, CancellationToken cancellationToken)
    {
        var team = await teams.AddCreditsAsync(id, amount, cancellationToken);
        if (team is not null)
        {
            authenticator.Invalidate();
            logger.TeamChanged(id, "credited");
        }

        return team;
    }

    /// <summary>Deletes the team unless keys that are not revoked still belong to it.</summary>
    public async Task<TeamWrite> DeleteTeamAsync(string id, CancellationToken cancellationToken)
    {
        var outcome = await teams.DeleteAsync(id, cancellationToken);
        if (outcome == TeamWrite.Done)
        {
            authenticator.Invalidate();
            logger.TeamChanged(id, "deleted");
        }

        return outcome;
    }
    public Task<IReadOnlyList<KeyRecord>> ListKeysAsync(CancellationToken cancellationToken) => keys.ListAsync(cancellationToken);

    public Task<KeyRecord?> GetKeyAsync(string id, CancellationToken cancellationToken) => keys.GetAsync(id, cancellationToken);

    /// <summary>Writes only the fields in <paramref name="changes"/>; null when no such key (or team it names) exists.</summary>
    public async Task<KeyRecord?> ChangeKeyAsync(string id, KeyChanges changes, CancellationToken cancellationToken)
    {
        var key = await keys.UpdateAsync(id, changes, cancellationToken);
        if (key is not null)
        {
            authenticator.Invalidate();
            logger.KeyChanged(id, "updated");
        }

        return key;
    }

    public Task<IReadOnlyList<TeamRecord>> ListTeamsAsync(CancellationToken cancellationToken) => teams.ListAsync(cancellationToken);

    public Task<TeamRecord?> GetTeamAsync(string id, CancellationToken cancellationToken) => teams.GetAsync(id, cancellationToken);

    public Task<TeamRecord?> FindTeamByNameAsync(string name, CancellationToken cancellationToken) => teams.FindByNameAsync(name, cancellationToken);

    /// <summary>Credits spent per key, as the ledger holds them (flush <see cref="Writer"/> first to include this process's queued rows).</summary>
    public Task<IReadOnlyDictionary<string, decimal>> SpentByKeyAsync(CancellationToken cancellationToken) => ledger.SpentByKeyAsync(cancellationToken);

    /// <summary>Credits spent per team, as the ledger holds them.</summary>
    public Task<IReadOnlyDictionary<string, decimal>> SpentByTeamAsync(CancellationToken cancellationToken) => ledger.SpentByTeamAsync(cancellationToken);

    /// <summary>Credits the key spent, as the ledger holds them.</summary>
    public Task<decimal> LedgeredSpentAsync(string keyId, CancellationToken cancellationToken) => ledger.SpentAsync(keyId, cancellationToken);

    /// <summary>Credits the team's keys spent, as the ledger holds them.</summary>
    public Task<decimal> LedgeredTeamSpentAsync(string teamId, CancellationToken cancellationToken) => ledger.TeamSpentAsync(teamId, cancellationToken);

    public Task<IReadOnlyList<UsageSummary>> SummarizeAsync(UsageFilter filter, CancellationToken cancellationToken) => ledger.SummarizeAsync(filter, cancellationToken);

    public Task<IReadOnlyList<UsageRecord>> RecentAsync(UsageFilter filter, CancellationToken cancellationToken) => ledger.RecentAsync(filter, cancellationToken);
}
