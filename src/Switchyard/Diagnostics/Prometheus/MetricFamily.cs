using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Switchyard.Diagnostics.Prometheus;

/// <summary>
/// One instrument's series, keyed by their tags. A measurement finds its series by an
/// order-independent hash of the tag values and a comparison, with no allocation once the
/// series exists; a new series is added under a lock, and past <see cref="MaxSeries"/> the
/// measurements of new label sets go to one overflow series rather than growing without bound.
/// </summary>
internal sealed class MetricFamily
{
    public const int MaxSeries = 2000;

    private static readonly KeyValuePair<string, object?>[] OverflowTags = [new("otel.metric.overflow", true)];

    private readonly ConcurrentDictionary<int, MetricSeries> _series = new();
    private readonly Lock _gate = new();
    private int _count;

    public MetricFamily(Instrument instrument)
    {
        Kind = KindOf(instrument);
        Observed = instrument.IsObservable;
        Name = PrometheusNames.Metric(instrument.Name, instrument.Unit, Kind);
        Help = string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description;
        Bounds = Kind == MetricKind.Histogram ? BucketBounds(instrument) : [];
    }

    /// <summary>The exposed name (for a counter, with its <c>_total</c>).</summary>
    public string Name { get; }

    public string Help { get; }

    public MetricKind Kind { get; }

    /// <summary>Observable instruments report absolute values at each collection; their series are rebuilt each time.</summary>
    public bool Observed { get; }

    /// <summary>Histogram bucket upper bounds, ascending, without +Inf.</summary>
    public double[] Bounds { get; }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = Find(tags);
        switch (Kind)
        {
            case MetricKind.Histogram:
                series.Observe(value, Bounds);
                break;
            case MetricKind.Gauge:
                series.Set(value);
                break;
            default:
                if (Observed)
                {
                    // An observable counter reports its running total, not an increment.
                    series.Set(value);
                }
                else
                {
                    series.Add(value);
                }

                break;
        }
    }

    /// <summary>Every series, in no particular order.</summary>
    public List<MetricSeries> Snapshot()
    {
        var result = new List<MetricSeries>(Volatile.Read(ref _count));
        foreach (var head in _series.Values)
        {
            for (var series = head; series is not null; series = series.Next)
            {
                result.Add(series);
            }
        }

        return result;
    }

    /// <summary>Forgets every series (before an observable instrument is collected again).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _series.Clear();
            _count = 0;
        }
    }

    private MetricSeries Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = MetricSeries.HashOf(tags);
        if (Lookup(hash, tags) is { } found)
        {
            return found;
        }

        lock (_gate)
        {
            if (Lookup(hash, tags) is { } raced)
            {
                return raced;
            }

            if (_count >= MaxSeries)
            {
                tags = OverflowTags;
                hash = MetricSeries.HashOf(tags);
                if (Lookup(hash, tags) is { } overflow)
                {
                    return overflow;
                }
            }

            var created = new MetricSeries(tags, Kind == MetricKind.Histogram ? Bounds.Length + 1 : 0);
            if (_series.TryGetValue(hash, out var last))
            {
                while (last.Next is { } next)
                {
                    last = next;
                }

                last.Next = created;
            }
            else
            {
                _series[hash] = created;
            }

            _count++;
            return created;
        }
    }

    private MetricSeries? Lookup(int hash, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_series.TryGetValue(hash, out var head))
        {
            for (var series = head; series is not null; series = series.Next)
            {
                if (series.Matches(tags))
                {
                    return series;
                }
            }
        }

        return null;
    }

    private static MetricKind KindOf(Instrument instrument)
    {
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : null;
        if (definition == typeof(Histogram<>))
        {
            return MetricKind.Histogram;
        }

        if (definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>))
        {
            return MetricKind.Counter;
        }

        return definition == typeof(UpDownCounter<>) || definition == typeof(ObservableUpDownCounter<>)
            ? MetricKind.UpDownCounter
            : MetricKind.Gauge;
    }

    /// <summary>The instrument's bucket advice, else defaults suited to its unit (seconds, or counts).</summary>
    private static double[] BucketBounds(Instrument instrument)
    {
        switch (instrument)
        {
            case Histogram<double> { Advice.HistogramBucketBoundaries: { } bounds }:
                return [.. bounds];
            case Histogram<long> { Advice.HistogramBucketBoundaries: { } bounds }:
                return [.. bounds.Select(static b => (double)b)];
            case Histogram<int> { Advice.HistogramBucketBoundaries: { } bounds }:
                return [.. bounds.Select(static b => (double)b)];
        }

        return instrument.Unit == "s"
            ? [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
            : [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576];
    }
}
