using System.Diagnostics.Metrics;
using Switchyard.Diagnostics.Prometheus;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Diagnostics.Prometheus;

public sealed class MetricsCollectorTests : IDisposable
{
    private readonly object _scope = new();
    private readonly Meter _meter;
    private readonly MetricsCollector _collector;

    public MetricsCollectorTests()
    {
        _meter = new Meter(new MeterOptions("Switchyard") { Scope = _scope });
        _collector = new MetricsCollector(_scope, "Switchyard");
    }

    public void Dispose()
    {
        _collector.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public void Writes_counters_with_total_help_type_and_escaped_label_values()
    {
        var counter = _meter.CreateCounter<long>("demo.requests", "{request}", "Requests \\ served\nper route.");
        counter.Add(2, new KeyValuePair<string, object?>("route.name", "a \"quoted\" \\ path\nwith a break"));
        counter.Add(3, new KeyValuePair<string, object?>("route.name", "a \"quoted\" \\ path\nwith a break"));
        counter.Add(1, new KeyValuePair<string, object?>("route.name", "plain"));

        var text = _collector.Scrape();
        var exposition = Exposition.Parse(text);

        Assert.Equal("counter", exposition.TypesByFamily["demo_requests_total"]);
        Assert.Equal("Requests \\ served\nper route.", exposition.HelpByFamily["demo_requests_total"]);
        Assert.Equal(5, exposition.Sum("demo_requests_total", ("route_name", "a \"quoted\" \\ path\nwith a break")));
        Assert.Equal(1, exposition.Sum("demo_requests_total", ("route_name", "plain")));
        Assert.Contains("# HELP demo_requests_total Requests \\\\ served\\nper route.\n", text, StringComparison.Ordinal);
        Assert.Contains("route_name=\"a \\\"quoted\\\" \\\\ path\\nwith a break\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Writes_histograms_as_cumulative_buckets_ending_at_inf_with_sum_and_count()
    {
        var histogram = _meter.CreateHistogram("demo.latency", "s", "Latency.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1, 10] });
        foreach (var value in new[] { 0.05, 0.1, 0.5, 1, 5, 50 })
        {
            histogram.Record(value, new KeyValuePair<string, object?>("op", "x"));
        }

        var exposition = Exposition.Parse(_collector.Scrape());

        Assert.Equal("histogram", exposition.TypesByFamily["demo_latency_seconds"]);
        var buckets = exposition.Find("demo_latency_seconds_bucket", ("op", "x")).ToDictionary(s => s.Labels["le"], s => s.Value);
        Assert.Equal(new Dictionary<string, double> { ["0.1"] = 2, ["1"] = 4, ["10"] = 5, ["+Inf"] = 6 }, buckets);
        Assert.Equal(6, exposition.Sum("demo_latency_seconds_count", ("op", "x")));
        Assert.Equal(56.65, exposition.Sum("demo_latency_seconds_sum", ("op", "x")), 6);
    }

    [Fact]
    public void Writes_up_down_counters_and_observed_gauges_as_gauges_and_drops_vanished_observations()
    {
        var active = _meter.CreateUpDownCounter<long>("demo.active");
        active.Add(3);
        active.Add(-1);
        var queues = new List<Measurement<int>> { new(4, new KeyValuePair<string, object?>("provider", "a")), new(0, new KeyValuePair<string, object?>("provider", "b")) };
        _meter.CreateObservableGauge("demo.queue", () => queues);

        var first = Exposition.Parse(_collector.Scrape());
        queues.RemoveAt(0);
        var second = Exposition.Parse(_collector.Scrape());

        Assert.Equal("gauge", first.TypesByFamily["demo_active"]);
        Assert.Equal(2, first.Sum("demo_active"));
        Assert.Equal("gauge", first.TypesByFamily["demo_queue"]);
        Assert.Equal(4, first.Sum("demo_queue", ("provider", "a")));
        Assert.Empty(second.Find("demo_queue", ("provider", "a")));
        Assert.Single(second.Find("demo_queue", ("provider", "b")));
    }

    [Fact]
    public void Treats_the_same_tags_in_another_order_as_the_same_series()
    {
        var counter = _meter.CreateCounter<int>("demo.hits");
        counter.Add(1, new("a", "1"), new("b", 2));
        counter.Add(1, new("b", 2), new("a", "1"));

        var exposition = Exposition.Parse(_collector.Scrape());

        var sample = Assert.Single(exposition.Find("demo_hits_total"));
        Assert.Equal(2, sample.Value);
        Assert.Equal("2", sample.Labels["b"]);
    }

    [Fact]
    public void Bounds_the_series_of_one_metric_with_an_overflow_series()
    {
        var counter = _meter.CreateCounter<long>("demo.unbounded");
        for (var i = 0; i < MetricFamily.MaxSeries + 50; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("id", i));
        }

        var exposition = Exposition.Parse(_collector.Scrape());

        Assert.Equal(MetricFamily.MaxSeries + 1, exposition.Find("demo_unbounded_total").Count());
        Assert.Equal(50, exposition.Sum("demo_unbounded_total", ("otel_metric_overflow", "true")));
    }

    [Fact]
    public void Ignores_meters_of_another_scope_or_name()
    {
        using var other = new Meter(new MeterOptions("Switchyard") { Scope = new object() });
        using var otherName = new Meter(new MeterOptions("Other") { Scope = _scope });
        other.CreateCounter<long>("foreign.scope").Add(1);
        otherName.CreateCounter<long>("foreign.name").Add(1);
        _meter.CreateCounter<long>("own").Add(1);

        var exposition = Exposition.Parse(_collector.Scrape());

        Assert.Equal(["own_total"], exposition.TypesByFamily.Keys);
    }

    [Fact]
    public void Writes_nothing_but_a_valid_empty_exposition_before_any_measurement()
    {
        _meter.CreateCounter<long>("never.used");

        var text = _collector.Scrape();

        Assert.Equal(string.Empty, text);
        Assert.Empty(Exposition.Parse(text).Samples);
    }
}
