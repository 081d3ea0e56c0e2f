using Switchyard.Admin;
using Switchyard.Auth;
using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Console.Models;
using Switchyard.Diagnostics;
using Switchyard.Diagnostics.Prometheus;
using Switchyard.Metering;
using Switchyard.Routing;
using Switchyard.Storage;
using Switchyard.Surfaces;

namespace Switchyard.Console;

/// <summary>
/// Reads what the console's pages show from the gateway's own parts: keys and the ledger
/// (through <see cref="AdminServices"/>, after flushing this process's queued rows so a page
/// shows the request that just ran), the timeline, the catalog, deployment health and metrics.
/// Every read takes the signed-in user's <see cref="ConsoleScope"/>: a key holder gets its own
/// key's data only, a viewer scoped to a team that team's.
/// </summary>
internal sealed class ConsoleData(
    AdminServices admin,
    IUsageTimeline timeline,
    Configuration.SnapshotMonitor snapshots,
    DeploymentHealth health,
    MetricsCollector metrics)
{
    public AdminServices Admin => admin;

    /// <summary>What the user's pages are limited to; a team named by single sign-on is found by its id or its name.</summary>
    public async Task<ConsoleScope> ScopeAsync(ConsoleUser user, CancellationToken cancellationToken)
    {
        if (user.OwnKey is { } key)
        {
            return new ConsoleScope(key, null);
        }

        if (user.OwnTeam is { } claim)
        {
            var team = (claim.StartsWith(TeamIds.Prefix, StringComparison.Ordinal) ? await admin.GetTeamAsync(claim, cancellationToken) : null)
                ?? await admin.FindTeamByNameAsync(claim, cancellationToken);
            return new ConsoleScope(null, team?.Id ?? ConsoleScope.NoTeam);
        }

        return ConsoleScope.Everything;
    }

    public async Task<OverviewModel> OverviewAsync(ConsoleUser user, ConsoleScope scope, string range, CancellationToken cancellationToken)
    {
        var hourly = range != "30d";
        var now = admin.Time.GetUtcNow();
        var since = hourly ? Truncate(now, hourly: true).AddHours(-23) : Truncate(now, hourly: false).AddDays(-29);
        await admin.Writer.FlushAsync(cancellationToken);
        var points = await timeline.TimelineAsync(since, hourly, scope.KeyId, scope.TeamId, cancellationToken);
        var summary = await admin.SummarizeAsync(scope.Narrow(new UsageFilter { Since = since }), cancellationToken);
        var names = await KeyNamesAsync(cancellationToken);
        var topModels = summary.GroupBy(s => s.Model, StringComparer.Ordinal)
            .Select(g => new RankedRow(g.Key, g.Key, g.Sum(s => s.Requests), g.Sum(Tokens), g.Sum(s => s.Cost)))
            .OrderByDescending(r => r.Requests).ThenBy(r => r.Id, StringComparer.Ordinal).Take(5).ToList();
        var topKeys = user.SeesAllKeys
            ? summary.GroupBy(s => s.KeyId, StringComparer.Ordinal)
                .Select(g => new RankedRow(g.Key, names.GetValueOrDefault(g.Key, g.Key), g.Sum(s => s.Requests), g.Sum(Tokens), g.Sum(s => s.Cost)))
                .OrderByDescending(r => r.Cost).ThenByDescending(r => r.Requests).Take(5).ToList()
            : [];
        var benched = new List<BenchedDeployment>();
        if (user.SeesAllKeys)
        {
            foreach (var model in snapshots.Current.Catalog.Ordered)
            {
                foreach (var deployment in model.Deployments)
                {
                    if (health.IsBenched(deployment.Name))
                    {
                        benched.Add(new BenchedDeployment(model.Id, deployment.Name, health.BenchPeriod(deployment.Name)));
                    }
                }
            }
        }

        return new OverviewModel(hourly ? "24h" : "30d", hourly, points, since, now, topModels, topKeys, benched);
    }

    public async Task<IReadOnlyList<KeyRow>> KeysAsync(ConsoleScope scope, CancellationToken cancellationToken)
    {
        await admin.Writer.FlushAsync(cancellationToken);
        var keys = await admin.ListKeysAsync(cancellationToken);
        var spent = await admin.SpentByKeyAsync(cancellationToken);
        var rows = keys.Where(scope.Includes).Select(k => new KeyRow(k, spent.GetValueOrDefault(k.Id), Configured: false)).ToList();
        foreach (var caller in admin.Authenticator.ConfiguredCallers)
        {
            var key = Configured(caller);
            if (scope.Includes(key))
            {
                rows.Add(new KeyRow(key, spent.GetValueOrDefault(caller.KeyId), Configured: true));
            }
        }

        return rows.OrderBy(r => r.Revoked).ThenByDescending(r => r.Key.CreatedAt).ThenBy(r => r.Key.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>A stored or configured key; null when there is none by that id.</summary>
    public async Task<KeyRow?> KeyAsync(string id, CancellationToken cancellationToken)
    {
        if (await admin.GetKeyAsync(id, cancellationToken) is { } key)
        {
            return new KeyRow(key, await admin.SpentAsync(id, cancellationToken), Configured: false);
        }

        var caller = admin.Authenticator.ConfiguredCallers.FirstOrDefault(c => c.KeyId == id);
        return caller is null ? null : new KeyRow(Configured(caller), await admin.SpentAsync(id, cancellationToken), Configured: true);
    }

    public async Task<KeyModel> KeyPageAsync(KeyRow row, string? message, string? error, CancellationToken cancellationToken)
    {
        var since = Truncate(admin.Time.GetUtcNow(), hourly: false).AddDays(-29);
        var usage = await admin.SummarizeAsync(new UsageFilter { KeyId = row.Key.Id, Since = since }, cancellationToken);
        var recent = await admin.RecentAsync(new UsageFilter { KeyId = row.Key.Id, Limit = 20 }, cancellationToken);
        return new KeyModel(row, usage, recent, ModelIds(), await TeamChoicesAsync(ConsoleScope.Everything, cancellationToken), message, error);
    }

    public async Task<IReadOnlyList<TeamRow>> TeamsAsync(ConsoleScope scope, CancellationToken cancellationToken)
    {
        await admin.Writer.FlushAsync(cancellationToken);
        var teams = await admin.ListTeamsAsync(cancellationToken);
        var spent = await admin.SpentByTeamAsync(cancellationToken);
        var keys = await admin.ListKeysAsync(cancellationToken);
        return teams.Where(scope.Includes)
            .Select(t => new TeamRow(t, spent.GetValueOrDefault(t.Id), keys.Count(k => k.TeamId == t.Id && k.RevokedAt is null)))
            .ToList();
    }

    /// <summary>A team with what its keys spent together; null when there is none by that id.</summary>
    public async Task<TeamRow?> TeamAsync(string id, CancellationToken cancellationToken)
    {
        if (await admin.GetTeamAsync(id, cancellationToken) is not { } team)
        {
            return null;
        }

        var keys = await admin.ListKeysAsync(cancellationToken);
        return new TeamRow(team, await admin.TeamSpentAsync(id, cancellationToken), keys.Count(k => k.TeamId == id && k.RevokedAt is null));
    }

    public async Task<TeamModel> TeamPageAsync(TeamRow row, string? message, string? error, CancellationToken cancellationToken)
    {
        var since = Truncate(admin.Time.GetUtcNow(), hourly: false).AddDays(-29);
        var keys = await KeysAsync(new ConsoleScope(null, row.Team.Id), cancellationToken);
        var usage = await admin.SummarizeAsync(new UsageFilter { TeamId = row.Team.Id, Since = since }, cancellationToken);
        var recent = await admin.RecentAsync(new UsageFilter { TeamId = row.Team.Id, Limit = 20 }, cancellationToken);
        return new TeamModel(row, keys, usage, recent, await KeyNamesAsync(cancellationToken), message, error);
    }

    public async Task<IReadOnlyList<UsageSummary>> SummarizeAsync(UsageFilter filter, CancellationToken cancellationToken)
    {
        await admin.Writer.FlushAsync(cancellationToken);
        return await admin.SummarizeAsync(filter, cancellationToken);
    }

    public async Task<IReadOnlyList<UsageRecord>> RequestsAsync(UsageFilter filter, CancellationToken cancellationToken)
    {
        await admin.Writer.FlushAsync(cancellationToken);
        return await admin.RecentAsync(filter, cancellationToken);
    }

    /// <summary>Key id → name for every stored and configured key, and the master key.</summary>
    public async Task<IReadOnlyDictionary<string, string>> KeyNamesAsync(CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal) { [Caller.Master.KeyId] = "master key" };
        foreach (var key in await admin.ListKeysAsync(cancellationToken))
        {
            names[key.Id] = key.Name;
        }

        foreach (var caller in admin.Authenticator.ConfiguredCallers)
        {
            names[caller.KeyId] = caller.Name;
        }

        return names;
    }

    public async Task<IReadOnlyList<KeyChoice>> KeyChoicesAsync(bool activeOnly, ConsoleScope scope, CancellationToken cancellationToken)
    {
        var keys = await admin.ListKeysAsync(cancellationToken);
        return keys.Where(k => scope.Includes(k) && (!activeOnly || (k.RevokedAt is null && !(k.ExpiresAt <= admin.Time.GetUtcNow()))))
            .Select(k => new KeyChoice(k.Id, k.Name))
            .Concat(admin.Authenticator.ConfiguredCallers.Where(c => scope.Includes(Configured(c))).Select(c => new KeyChoice(c.KeyId, c.Name)))
            .OrderBy(k => k.Name, StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyList<TeamChoice>> TeamChoicesAsync(ConsoleScope scope, CancellationToken cancellationToken) =>
        (await admin.ListTeamsAsync(cancellationToken)).Where(scope.Includes).Select(t => new TeamChoice(t.Id, t.Name)).ToList();

    public IReadOnlyList<string> ModelIds(ModelKind? kind = null, Caller? caller = null) =>
        snapshots.Current.Catalog.Ordered.Where(m => (kind is null || m.Kind == kind) && (caller is null || caller.MayUse(m.Id))).Select(m => m.Id).ToList();

    public ModelsModel Models(Caller? caller)
    {
        var latency = metrics.Family("gen_ai.client.operation.duration");
        var firstToken = metrics.Family("gen_ai.server.time_to_first_token");
        var attempts = metrics.Family("switchyard.upstream.attempts");
        var rows = new List<ModelRow>();
        foreach (var model in snapshots.Current.Catalog.Ordered)
        {
            if (caller is not null && !caller.MayUse(model.Id))
            {
                continue;
            }

            var deployments = model.Deployments.Select(d =>
            {
                var (total, failed) = Attempts(attempts, d.Name);
                var (latencyP50, latencyP95) = Quantiles(latency, d.Name);
                var (firstP50, firstP95) = Quantiles(firstToken, d.Name);
                return new DeploymentRow(d.Name, d.Provider.Name, d.UpstreamModel, d.Weight, health.IsBenched(d.Name), health.BenchPeriod(d.Name),
                    total, total == 0 ? null : (double)failed / total, latencyP50, latencyP95, firstP50, firstP95);
            }).ToList();
            rows.Add(new ModelRow(model.Id, model.Kind.ToString().ToLowerInvariant(),
                Dialects.DialectRegistry.Surfaces.Where(model.Surfaces.Contains).Select(s => s.Name).ToList(), model.Pricing, model.Fallbacks, deployments));
        }

        return new ModelsModel(rows, caller is null);
    }

    private static (long Total, long Failed) Attempts(MetricFamily? family, string deployment)
    {
        if (family is null)
        {
            return (0, 0);
        }

        long total = 0, failed = 0;
        foreach (var series in SeriesOf(family, deployment))
        {
            total += (long)series.Value;
            if (series.Labels.Any(l => l.Key == PrometheusNames.Label(TelemetryTags.Outcome) && l.Value == "failure"))
            {
                failed += (long)series.Value;
            }
        }

        return (total, failed);
    }

    /// <summary>p50 and p95 in milliseconds, interpolated within the histogram's buckets as Prometheus' histogram_quantile does.</summary>
    internal static (double? P50, double? P95) Quantiles(MetricFamily? family, string deployment)
    {
        if (family is null)
        {
            return (null, null);
        }

        var bounds = family.Bounds;
        var counts = new long[bounds.Length + 1];
        foreach (var series in SeriesOf(family, deployment))
        {
            for (var i = 0; i < counts.Length; i++)
            {
                counts[i] += series.BucketCount(i);
            }
        }

        var total = counts.Sum();
        return total == 0 ? (null, null) : (Quantile(0.5) * 1000, Quantile(0.95) * 1000);

        double Quantile(double q)
        {
            var rank = q * total;
            long seen = 0;
            for (var i = 0; i < counts.Length; i++)
            {
                if (seen + counts[i] >= rank && counts[i] > 0)
                {
                    if (i == bounds.Length)
                    {
                        return bounds[^1];
                    }

                    var lower = i == 0 ? 0 : bounds[i - 1];
                    return lower + ((bounds[i] - lower) * (rank - seen) / counts[i]);
                }

                seen += counts[i];
            }

            return bounds[^1];
        }
    }

    private static IEnumerable<MetricSeries> SeriesOf(MetricFamily family, string deployment)
    {
        var label = PrometheusNames.Label(TelemetryTags.Deployment);
        return family.Snapshot().Where(s => s.Labels.Any(l => l.Key == label && l.Value == deployment));
    }

    private static long Tokens(UsageSummary s) => s.InputTokens + s.CachedInputTokens + s.CacheWriteTokens + s.OutputTokens + s.ReasoningTokens;

    private static KeyRecord Configured(Caller caller) => new()
    {
        Id = caller.KeyId,
        Name = caller.Name,
        Prefix = "(file)",
        Hash = "",
        AllowedModels = caller.AllowedModels?.Order(StringComparer.Ordinal).ToList(),
        Rpm = caller.Rpm,
        Tpm = caller.Tpm,
        MaxConcurrent = caller.MaxConcurrent,
        Credits = caller.Credits,
    };

    internal static DateTimeOffset Truncate(DateTimeOffset at, bool hourly)
    {
        var utc = at.UtcDateTime;
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, hourly ? utc.Hour : 0, 0, 0, TimeSpan.Zero);
    }
}
