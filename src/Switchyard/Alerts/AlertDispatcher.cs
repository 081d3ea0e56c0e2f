using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchyard.Metering;
using Switchyard.Storage;

namespace Switchyard.Alerts;

/// <summary>
/// Turns what the gateway reports (<see cref="IAlertSink"/>) into alerts and hands each to every
/// webhook that wants it. Reports queue in a bounded channel; this service drains it:
///  1. credit charges are gathered per key and per team, the request log is flushed, and the
///     spending (the ledger's, so a fleet's) is compared with 50, 80 and 100 % of the credits; a
///     threshold is announced once per credit grant, by whichever process first records it in the store;
///  2. a bench is announced when a deployment starts one, not when a failed probe extends it, and
///     a recovery only after an announced bench;
///  3. each alert goes to its webhooks at once, each delivery retried on its own.
/// With no webhook configured nothing is queued.
/// </summary>
internal sealed class AlertDispatcher(
    IReadOnlyList<WebhookTarget> webhooks,
    WebhookSender sender,
    IKeyStore keys,
    IUsageLedger ledger,
    UsageWriter writer,
    TimeProvider time,
    ILogger<AlertDispatcher> logger) : BackgroundService, IAlertSink
{
    public static readonly int[] CreditThresholds = [50, 80, 100];

    private readonly Channel<Report> _reports = Channel.CreateBounded<Report>(new BoundedChannelOptions(10_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private readonly HashSet<string> _benched = new(StringComparer.Ordinal);
    private readonly HashSet<string> _announced = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _deliveries = new();
    private CancellationToken _stopping;

    public IReadOnlyList<WebhookTarget> Webhooks => webhooks;

    public void CreditsCharged(string keyId, string keyName, decimal granted, decimal cost) =>
        Queue(new Report(ReportKind.Charged, keyId, keyName, granted, TimeSpan.Zero));

    public void TeamCreditsCharged(string teamId, string teamName, decimal granted, decimal cost) =>
        Queue(new Report(ReportKind.TeamCharged, teamId, teamName, granted, TimeSpan.Zero));

    public void KeyRevoked(string keyId, string keyName) => Queue(new Report(ReportKind.Revoked, keyId, keyName, 0m, TimeSpan.Zero));

    public void DeploymentBenched(string deployment, TimeSpan period) => Queue(new Report(ReportKind.Benched, deployment, deployment, 0m, period));

    public void DeploymentRecovered(string deployment) => Queue(new Report(ReportKind.Recovered, deployment, deployment, 0m, TimeSpan.Zero));

    private void Queue(Report report)
    {
        if (webhooks.Count > 0 && !_reports.Writer.TryWrite(report))
        {
            logger.AlertDropped(report.Kind.ToString(), "the alert queue is full");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        var batch = new List<Report>();
        try
        {
            while (await _reports.Reader.WaitToReadAsync(stoppingToken))
            {
                while (_reports.Reader.TryRead(out var report))
                {
                    batch.Add(report);
                }

                try
                {
                    await HandleAsync(batch, stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.AlertDropped("batch", exception.GetType().Name);
                }

                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(_deliveries.Keys);
    }

    private async Task HandleAsync(List<Report> batch, CancellationToken cancellationToken)
    {
        // 1. Credits: the last report per key or team carries its current grant (ids never collide: key_…, cfg_…, team_…).
        var charged = new Dictionary<string, Report>(StringComparer.Ordinal);
        foreach (var report in batch)
        {
            switch (report.Kind)
            {
                case ReportKind.Charged or ReportKind.TeamCharged:
                    charged[report.Subject] = report;
                    break;
                case ReportKind.Revoked:
                    Send(AlertEventTypes.KeyRevoked, $"Key '{report.Name}' ({report.Subject}) was revoked.",
                        [new("keyId", report.Subject), new("keyName", report.Name)]);
                    break;

                // 2. Health: announce transitions only.
                case ReportKind.Benched when _benched.Add(report.Subject):
                    Send(AlertEventTypes.DeploymentBenched,
                        string.Create(CultureInfo.InvariantCulture, $"Deployment {report.Subject} is benched for {report.Period.TotalSeconds:0} s after failing."),
                        [new("deployment", report.Subject), new("benchSeconds", report.Period.TotalSeconds)]);
                    break;
                case ReportKind.Recovered when _benched.Remove(report.Subject):
                    Send(AlertEventTypes.DeploymentRecovered, $"Deployment {report.Subject} passed its probe and serves again.",
                        [new("deployment", report.Subject)]);
                    break;
            }
        }

        if (charged.Count == 0)
        {
            return;
        }

        await writer.FlushAsync(cancellationToken);
        foreach (var (id, report) in charged)
        {
            if (report.Granted <= 0)
            {
                continue;
            }

            var team = report.Kind == ReportKind.TeamCharged;
            var type = team ? AlertEventTypes.TeamCredits : AlertEventTypes.KeyCredits;
            var spent = team ? await ledger.TeamSpentAsync(id, cancellationToken) : await ledger.SpentAsync(id, cancellationToken);
            foreach (var threshold in CreditThresholds)
            {
                if (spent * 100 < report.Granted * threshold)
                {
                    break;
                }

                var mark = string.Create(CultureInfo.InvariantCulture, $"alert:{type}:{id}:{report.Granted:0.########}:{threshold}");
                if (!_announced.Add(mark))
                {
                    continue;
                }

                var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
                if (await keys.SetSettingIfAbsentAsync(mark, token, cancellationToken) != token)
                {
                    // Another process of the fleet announced it.
                    continue;
                }

                var text = string.Create(CultureInfo.InvariantCulture,
                    $"{(team ? "Team" : "Key")} '{report.Name}' ({id}) has spent {threshold} % of its credits: {spent:0.########} of {report.Granted:0.########}.");
                Send(type, text, team
                    ? [new("teamId", id), new("teamName", report.Name), new("threshold", threshold), new("spent", spent), new("granted", report.Granted)]
                    : [new("keyId", id), new("keyName", report.Name), new("threshold", threshold), new("spent", spent), new("granted", report.Granted)]);
            }
        }
    }

    private void Send(string type, string text, KeyValuePair<string, object>[] data)
    {
        var alert = new AlertEvent
        {
            Id = "evt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Type = type,
            Text = text,
            CreatedAt = time.GetUtcNow(),
            Data = data,
        };
        foreach (var webhook in webhooks)
        {
            if (webhook.Wants(type))
            {
                var delivery = sender.DeliverAsync(alert, webhook, _stopping);
                _deliveries[delivery] = 0;
                _ = delivery.ContinueWith(static (done, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(done, out _),
                    _deliveries, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private enum ReportKind
    {
        Charged,
        TeamCharged,
        Revoked,
        Benched,
        Recovered,
    }

    private readonly record struct Report(ReportKind Kind, string Subject, string Name, decimal Granted, TimeSpan Period);
}
