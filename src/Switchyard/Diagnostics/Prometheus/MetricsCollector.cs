using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace Switchyard.Diagnostics.Prometheus;

/// <summary>
/// Aggregates the <c>Switchyard</c> meter's measurements in memory for <c>GET /metrics</c>, through
/// a <see cref="MeterListener"/> that listens to this host's meter only (matched by the
/// <see cref="IMeterFactory"/> that made it), and writes them in the Prometheus text format.
/// The OpenTelemetry SDK, when OTLP export is on, listens separately; neither disturbs the other.
/// </summary>
internal sealed class MetricsCollector : IDisposable
{
    private readonly ConcurrentDictionary<Instrument, MetricFamily> _families = new();
    private readonly MeterListener _listener;
    private readonly Lock _collecting = new();

    public MetricsCollector(IMeterFactory meterFactory)
        : this(meterFactory, SwitchyardMetrics.MeterName)
    {
    }

    /// <summary>Listens to the meters named <paramref name="meterName"/> whose scope is <paramref name="scope"/>.</summary>
    public MetricsCollector(object? scope, string meterName)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == meterName && ReferenceEquals(instrument.Meter.Scope, scope))
                {
                    var family = new MetricFamily(instrument);
                    _families[instrument] = family;
                    listener.EnableMeasurementEvents(instrument, family);
                }
            },
            MeasurementsCompleted = (instrument, _) => _families.TryRemove(instrument, out MetricFamily? _),
        };
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((MetricFamily)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>Collects the observable instruments and writes every metric in the text exposition format.</summary>
    public string Scrape()
    {
        lock (_collecting)
        {
            foreach (var family in _families.Values)
            {
                if (family.Observed)
                {
                    family.Clear();
                }
            }

            _listener.RecordObservableInstruments();
            var output = new StringBuilder(16 * 1024);
            PrometheusTextWriter.Write(output, _families.Values);
            return output.ToString();
        }
    }

    /// <summary>The series of one instrument so far (for the console's health view); null before its first measurement.</summary>
    public MetricFamily? Family(string instrumentName)
    {
        foreach (var (instrument, family) in _families)
        {
            if (instrument.Name == instrumentName)
            {
                return family;
            }
        }

        return null;
    }

    public void Dispose() => _listener.Dispose();
}
