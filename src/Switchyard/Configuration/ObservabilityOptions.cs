namespace Switchyard.Configuration;

/// <summary>Metrics, traces and logs (issue #10); everything is on by default except export and sensitive logging.</summary>
internal sealed class ObservabilityOptions
{
    public const string Open = "open";
    public const string MasterKey = "masterKey";
    public const string Token = "token";

    /// <summary>
    /// Who may read <c>GET /metrics</c>: <c>open</c> (default: anyone who reaches the port),
    /// <c>masterKey</c>, or <c>token</c> (<see cref="MetricsToken"/>, or the master key).
    /// </summary>
    public string MetricsAuth { get; set; } = Open;

    /// <summary>The bearer token scrapers send when <see cref="MetricsAuth"/> is <c>token</c>; usually <c>env:NAME</c>.</summary>
    public string? MetricsToken { get; set; }

    /// <summary>An OpenTelemetry collector to send traces and metrics to; nothing is exported when absent.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (default, port 4317) or <c>http/protobuf</c> (port 4318).</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>Headers sent with every export, such as a collector's API key (values may be <c>env:NAME</c>).</summary>
    public Dictionary<string, string> OtlpHeaders { get; set; } = [];

    /// <summary>The fraction of new traces recorded (a client's sampled traceparent is always followed).</summary>
    public double TraceSampleRatio { get; set; } = 1.0;

    /// <summary>The <c>service.name</c> of exported telemetry.</summary>
    public string ServiceName { get; set; } = "switchyard";

    /// <summary>Console logs as one JSON object per line, for log shippers.</summary>
    public bool JsonLogs { get; set; }

    /// <summary>
    /// Logs chat request bodies at Trace level (events whose names end in <c>Sensitive</c>). Off by
    /// default: prompts are the users' data; turn on only to debug, with the Trace level enabled.
    /// </summary>
    public bool LogSensitiveData { get; set; }

    public override string ToString() =>
        $"metrics {MetricsAuth}, otlp {(OtlpEndpoint is null ? "off" : OtlpProtocol)}, {(JsonLogs ? "json" : "text")} logs";
}
