using Switchyard.Diagnostics.Prometheus;

namespace Switchyard.Tests.Diagnostics.Prometheus;

public sealed class PrometheusNamesTests
{
    [Theory]
    [InlineData("gen_ai.client.operation.duration", "s", MetricKind.Histogram, "gen_ai_client_operation_duration_seconds")]
    [InlineData("gen_ai.client.token.usage", "{token}", MetricKind.Histogram, "gen_ai_client_token_usage")]
    [InlineData("switchyard.upstream.attempts", "{attempt}", MetricKind.Counter, "switchyard_upstream_attempts_total")]
    [InlineData("switchyard.streams.active", "{stream}", MetricKind.UpDownCounter, "switchyard_streams_active")]
    [InlineData("requests_total", null, MetricKind.Counter, "requests_total")]
    [InlineData("wait_seconds", "s", MetricKind.Histogram, "wait_seconds")]
    [InlineData("body.size", "By", MetricKind.Histogram, "body_size_bytes")]
    [InlineData("cpu.utilization", "1", MetricKind.Gauge, "cpu_utilization_ratio")]
    [InlineData("rate", "By/s", MetricKind.Gauge, "rate_By_per_s")]
    [InlineData("9lives", null, MetricKind.Gauge, "_9lives")]
    [InlineData("a..b--c", null, MetricKind.Gauge, "a_b_c")]
    [InlineData("ns:sub.name", null, MetricKind.Gauge, "ns:sub_name")]
    public void Spells_OpenTelemetry_names_the_Prometheus_way(string name, string? unit, MetricKind kind, string expected)
    {
        var actual = PrometheusNames.Metric(name, unit, kind);

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("gen_ai.request.model", "gen_ai_request_model")]
    [InlineData("http.response.status_code", "http_response_status_code")]
    [InlineData("__reserved", "_reserved")]
    [InlineData("a:b", "a_b")]
    [InlineData("1st", "_1st")]
    public void Spells_label_names_in_the_label_grammar(string name, string expected)
    {
        var actual = PrometheusNames.Label(name);

        Assert.Equal(expected, actual);
    }
}
