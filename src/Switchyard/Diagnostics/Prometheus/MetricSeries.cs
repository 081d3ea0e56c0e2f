using System.Globalization;

namespace Switchyard.Diagnostics.Prometheus;

/// <summary>
/// One label set of one metric and its running value. Updates are lock-free (interlocked adds
/// and compare-exchange on doubles): a measurement on the request path never waits for a scrape.
/// </summary>
internal sealed class MetricSeries
{
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly long[]? _buckets;
    private double _value;
    private double _sum;
    private MetricSeries? _next;

    internal MetricSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags, int bucketCount)
    {
        _tags = tags.ToArray();
        _buckets = bucketCount > 0 ? new long[bucketCount] : null;
        var labels = new KeyValuePair<string, string>[_tags.Length];
        for (var i = 0; i < _tags.Length; i++)
        {
            labels[i] = new(PrometheusNames.Label(_tags[i].Key), LabelValue(_tags[i].Value));
        }

        Array.Sort(labels, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        Labels = labels;
    }

    /// <summary>Sanitized label names with their values, sorted by name.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; }

    /// <summary>The next series whose tags hash alike (a short chain, written once under the family's lock).</summary>
    internal MetricSeries? Next
    {
        get => Volatile.Read(ref _next);
        set => Volatile.Write(ref _next, value);
    }

    public double Value => Volatile.Read(ref _value);

    public double Sum => Volatile.Read(ref _sum);

    /// <summary>Per-bucket (not cumulative) counts; the last is the +Inf overflow.</summary>
    public long BucketCount(int index) => Volatile.Read(ref _buckets![index]);

    public void Add(double value) => AddDouble(ref _value, value);

    public void Set(double value) => Volatile.Write(ref _value, value);

    public void Observe(double value, double[] bounds)
    {
        var index = 0;
        while (index < bounds.Length && value > bounds[index])
        {
            index++;
        }

        Interlocked.Increment(ref _buckets![index]);
        AddDouble(ref _sum, value);
    }

    /// <summary>Same tags, in any order (callers build them in a fixed order, but nothing requires it).</summary>
    internal bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length != _tags.Length)
        {
            return false;
        }

        for (var i = 0; i < tags.Length; i++)
        {
            if (!Contains(tags[i]))
            {
                return false;
            }
        }

        return true;
    }

    internal static int HashOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // A sum of per-tag hashes does not depend on the tags' order. Only the values are hashed:
        // an instrument is recorded with the same few keys, and Matches compares keys anyway.
        var hash = tags.Length;
        foreach (var tag in tags)
        {
            hash += tag.Value?.GetHashCode() ?? 0;
        }

        return hash;
    }

    private bool Contains(KeyValuePair<string, object?> tag)
    {
        foreach (var (key, value) in _tags)
        {
            if (string.Equals(key, tag.Key, StringComparison.Ordinal) && Equals(value, tag.Value))
            {
                return true;
            }
        }

        return false;
    }

    private static string LabelValue(object? value) => value switch
    {
        null => string.Empty,
        string text => text,
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static void AddDouble(ref double location, double value)
    {
        if (!double.IsFinite(value))
        {
            return;
        }

        var current = Volatile.Read(ref location);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref location, current + value, current);
            if (seen.Equals(current))
            {
                return;
            }

            current = seen;
        }
    }
}
