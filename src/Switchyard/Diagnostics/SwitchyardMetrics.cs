using System.Diagnostics;
using System.Diagnostics.Metrics;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Diagnostics;

/// <summary>
/// The gateway's one <see cref="Meter"/>, named <c>Switchyard</c>. GenAI semantic-convention
/// instruments (<c>gen_ai.*</c>) where the convention has one, <c>switchyard.*</c> for the rest.
/// Every recording method builds its tags in a stack-only <see cref="TagList"/> from strings the
/// catalog already holds and statuses boxed once, so recording allocates nothing; each checks
/// <see cref="Instrument.Enabled"/> first so an instrument nobody listens to costs a branch.
/// Created per host from <see cref="IMeterFactory"/>, so two gateways in one process (tests) keep
/// separate counts.
/// </summary>
internal sealed class SwitchyardMetrics
{
    public const string MeterName = "Switchyard";

    // Bucket advice: the GenAI conventions' own for gen_ai.*; for whole requests, up to the five
    // minutes a long generation may take.
    private static readonly double[] RequestSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
    private static readonly double[] OperationSeconds = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
    private static readonly long[] TokenCounts = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
    private static readonly double[] FirstTokenSeconds = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];
    private static readonly double[] PerTokenSeconds = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];
    private static readonly double[] QueueSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _operationDuration;
    private readonly Histogram<long> _tokenUsage;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _timePerOutputToken;
    private readonly Counter<long> _tokens;
    private readonly Counter<double> _credits;
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _benches;
    private readonly Counter<long> _refusals;
    private readonly Histogram<double> _queueWait;
    private readonly UpDownCounter<long> _activeStreams;

    private volatile Func<IEnumerable<KeyValuePair<string, int>>>? _queueLengths;
    private volatile Func<int>? _benchedDeployments;
    private volatile Func<long>? _requestLogBacklog;
    private volatile Func<long>? _ledgerSpooled;
    private volatile Func<long>? _keyLookups;

    public SwitchyardMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(new MeterOptions(MeterName) { Version = typeof(SwitchyardMetrics).Assembly.GetName().Version?.ToString() });

        _requestDuration = Meter.CreateHistogram("switchyard.request.duration", "s",
            "Duration of gateway requests, from the first byte read to the last byte written.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RequestSeconds });
        _operationDuration = Meter.CreateHistogram("gen_ai.client.operation.duration", "s",
            "GenAI operation duration: each upstream attempt, to the end of its answer or stream.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = OperationSeconds });
        _tokenUsage = Meter.CreateHistogram("gen_ai.client.token.usage", "{token}",
            "Number of input and output tokens used per served request.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenCounts });
        _timeToFirstToken = Meter.CreateHistogram("gen_ai.server.time_to_first_token", "s",
            "Time from the request's arrival to the first streamed event relayed to the client.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = FirstTokenSeconds });
        _timePerOutputToken = Meter.CreateHistogram("gen_ai.server.time_per_output_token", "s",
            "Time per output token after the first, for successful streams.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = PerTokenSeconds });
        _tokens = Meter.CreateCounter<long>("switchyard.tokens", "{token}",
            "Tokens served, in disjoint buckets: input (uncached), cache_read, cache_write, output (visible), reasoning.");
        _credits = Meter.CreateCounter<double>("switchyard.credits.charged", "{credit}",
            "Credits charged for served requests of priced models.");
        _attempts = Meter.CreateCounter<long>("switchyard.upstream.attempts", "{attempt}",
            "Upstream attempts by deployment and outcome.");
        _retries = Meter.CreateCounter<long>("switchyard.upstream.retries", "{attempt}",
            "Upstream attempts after a request's first: retries on the same deployment and failovers to the next.");
        _benches = Meter.CreateCounter<long>("switchyard.deployment.benches", "{bench}",
            "Times a deployment was benched after failing in a row (or failing its probe).");
        _refusals = Meter.CreateCounter<long>("switchyard.refusals", "{request}",
            "Requests answered 401, 402, 403 or 429, by surface and status; origin upstream when an upstream's 429 was passed on.");
        _queueWait = Meter.CreateHistogram("switchyard.queue.wait", "s",
            "Time waited for a slot at a provider's maxConcurrency, by whether one was had.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = QueueSeconds });
        _activeStreams = Meter.CreateUpDownCounter<long>("switchyard.streams.active", "{stream}",
            "Streams being relayed to clients now.");
        Meter.CreateObservableGauge("switchyard.queue.length", ObserveQueueLengths, "{request}",
            "Requests waiting for a slot at a provider's maxConcurrency.");
        Meter.CreateObservableGauge("switchyard.deployments.benched", ObserveBenched, "{deployment}",
            "Deployments benched now.");
        Meter.CreateObservableGauge("switchyard.request_log.backlog", ObserveBacklog, "{row}",
            "Request-log rows waiting to be written by the background writer.");
        Meter.CreateObservableGauge("switchyard.ledger.spooled", () => _ledgerSpooled?.Invoke() ?? 0, "{row}",
            "Ledger rows in the local spool file, waiting for the store to take them.");
        Meter.CreateObservableCounter("switchyard.key_store.lookups", () => _keyLookups?.Invoke() ?? 0, "{lookup}",
            "Keys looked up in the store (not cached); for keys the store does not have, bounded by the lookup budget.");
    }

    public Meter Meter { get; }

    /// <summary>Called at each collection for the queue lengths per provider.</summary>
    public void ObserveQueueLengths(Func<IEnumerable<KeyValuePair<string, int>>> source) => _queueLengths = source;

    public void ObserveBenchedDeployments(Func<int> source) => _benchedDeployments = source;

    /// <summary>For the request-log writer: how many rows wait in its channel.</summary>
    public void ObserveRequestLogBacklog(Func<long> source) => _requestLogBacklog = source;

    /// <summary>For the request-log writer: how many rows wait in its spool file for the store.</summary>
    public void ObserveLedgerSpooled(Func<long> source) => _ledgerSpooled = source;

    /// <summary>For the authenticator: lookups made in the store so far.</summary>
    public void ObserveKeyLookups(Func<long> source) => _keyLookups = source;

    public void RecordRequest(string surface, string model, string deployment, int status, double seconds)
    {
        if (_requestDuration.Enabled)
        {
            var tags = new TagList
            {
                { TelemetryTags.Surface, surface },
                { TelemetryTags.RequestModel, model },
                { TelemetryTags.Deployment, deployment },
                { TelemetryTags.StatusCode, TelemetryTags.Status(status) },
            };
            _requestDuration.Record(seconds, tags);
        }
    }

    public void RecordRefusal(string surface, int status, bool fromUpstream)
    {
        if (_refusals.Enabled)
        {
            var tags = new TagList
            {
                { TelemetryTags.Surface, surface },
                { TelemetryTags.StatusCode, TelemetryTags.Status(status) },
                { TelemetryTags.RefusalOrigin, fromUpstream ? "upstream" : "gateway" },
            };
            _refusals.Add(1, tags);
        }
    }

    /// <summary>One upstream attempt: its duration as a GenAI client operation, and its outcome.</summary>
    public void RecordAttempt(string operation, string model, string provider, string deployment, string? errorType, double seconds)
    {
        if (_operationDuration.Enabled)
        {
            var tags = new TagList
            {
                { TelemetryTags.OperationName, operation },
                { TelemetryTags.RequestModel, model },
                { TelemetryTags.ProviderName, provider },
                { TelemetryTags.Deployment, deployment },
            };
            if (errorType is not null)
            {
                tags.Add(TelemetryTags.ErrorType, errorType);
            }

            _operationDuration.Record(seconds, tags);
        }

        if (_attempts.Enabled)
        {
            var tags = new TagList
            {
                { TelemetryTags.Deployment, deployment },
                { TelemetryTags.Outcome, errorType is null ? "success" : "failure" },
                { TelemetryTags.ErrorType, errorType ?? string.Empty },
            };
            _attempts.Add(1, tags);
        }
    }

    public void RecordRetry(string model, string deployment)
    {
        if (_retries.Enabled)
        {
            _retries.Add(1, new TagList { { TelemetryTags.RequestModel, model }, { TelemetryTags.Deployment, deployment } });
        }
    }

    public void RecordBench(string deployment)
    {
        if (_benches.Enabled)
        {
            _benches.Add(1, new KeyValuePair<string, object?>(TelemetryTags.Deployment, deployment));
        }
    }

    public void RecordQueueWait(string provider, bool admitted, double seconds)
    {
        if (_queueWait.Enabled)
        {
            _queueWait.Record(seconds, new TagList { { TelemetryTags.Provider, provider }, { TelemetryTags.Outcome, admitted ? "admitted" : "refused" } });
        }
    }

    /// <summary>Tokens and credits of a served request.</summary>
    public void RecordUsage(string operation, string model, string provider, string deployment, Usage usage)
    {
        if (_tokenUsage.Enabled)
        {
            var tags = new TagList
            {
                { TelemetryTags.OperationName, operation },
                { TelemetryTags.RequestModel, model },
                { TelemetryTags.ProviderName, provider },
                { TelemetryTags.Deployment, deployment },
                { TelemetryTags.TokenType, "input" },
            };
            _tokenUsage.Record(usage.TotalInputTokens, tags);
            tags[4] = new(TelemetryTags.TokenType, "output");
            _tokenUsage.Record(usage.TotalOutputTokens, tags);
        }

        if (_tokens.Enabled)
        {
            AddTokens(model, deployment, "input", usage.InputTokens);
            AddTokens(model, deployment, "cache_read", usage.CacheReadTokens);
            AddTokens(model, deployment, "cache_write", usage.CacheWriteTokens);
            AddTokens(model, deployment, "output", usage.OutputTokens);
            AddTokens(model, deployment, "reasoning", usage.ReasoningTokens);
        }

        if (usage.Cost is decimal cost && cost > 0 && _credits.Enabled)
        {
            _credits.Add((double)cost, new TagList { { TelemetryTags.RequestModel, model }, { TelemetryTags.Deployment, deployment } });
        }
    }

    public void RecordTimeToFirstToken(string operation, string model, string provider, string deployment, double seconds)
    {
        if (_timeToFirstToken.Enabled)
        {
            _timeToFirstToken.Record(seconds, ServerTags(operation, model, provider, deployment));
        }
    }

    public void RecordTimePerOutputToken(string operation, string model, string provider, string deployment, double seconds)
    {
        if (_timePerOutputToken.Enabled)
        {
            _timePerOutputToken.Record(seconds, ServerTags(operation, model, provider, deployment));
        }
    }

    public void StreamStarted(string surface, string model) => AddStream(surface, model, 1);

    public void StreamEnded(string surface, string model) => AddStream(surface, model, -1);

    private void AddStream(string surface, string model, long delta)
    {
        if (_activeStreams.Enabled)
        {
            _activeStreams.Add(delta, new TagList { { TelemetryTags.Surface, surface }, { TelemetryTags.RequestModel, model } });
        }
    }

    private void AddTokens(string model, string deployment, string bucket, long count)
    {
        if (count > 0)
        {
            _tokens.Add(count, new TagList
            {
                { TelemetryTags.RequestModel, model },
                { TelemetryTags.Deployment, deployment },
                { TelemetryTags.TokenBucket, bucket },
            });
        }
    }

    private static TagList ServerTags(string operation, string model, string provider, string deployment) => new()
    {
        { TelemetryTags.OperationName, operation },
        { TelemetryTags.RequestModel, model },
        { TelemetryTags.ProviderName, provider },
        { TelemetryTags.Deployment, deployment },
    };

    private IEnumerable<Measurement<int>> ObserveQueueLengths()
    {
        if (_queueLengths is not { } source)
        {
            yield break;
        }

        foreach (var (provider, waiting) in source())
        {
            yield return new Measurement<int>(waiting, new KeyValuePair<string, object?>(TelemetryTags.Provider, provider));
        }
    }

    private int ObserveBenched() => _benchedDeployments?.Invoke() ?? 0;

    private IEnumerable<Measurement<long>> ObserveBacklog()
    {
        if (_requestLogBacklog is { } source)
        {
            yield return new Measurement<long>(source());
        }
    }
}
