namespace Switchyard.Diagnostics.Prometheus;

/// <summary>How an instrument's measurements aggregate, and the Prometheus type it is exposed as.</summary>
public enum MetricKind
{
    /// <summary>Monotonic sum (<c>counter</c>, name ending in <c>_total</c>).</summary>
    Counter,

    /// <summary>Sum that goes up and down (<c>gauge</c>).</summary>
    UpDownCounter,

    /// <summary>Last value (<c>gauge</c>).</summary>
    Gauge,

    /// <summary>Bucketed distribution (<c>histogram</c>: cumulative <c>_bucket</c>, <c>_sum</c>, <c>_count</c>).</summary>
    Histogram,
}
