using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Switchyard.Configuration;
using Switchyard.Diagnostics;

namespace Switchyard.Hosting;

/// <summary>
/// OTLP export of the <c>Switchyard</c> spans (and ASP.NET Core's server spans, their parents)
/// and of the <c>Switchyard</c> meter, when <c>observability.otlpEndpoint</c> is set. Registered
/// only then: without it no tracer listens to the source and spans are never created. Stopping
/// flushes what is buffered.
/// </summary>
internal sealed class TelemetryExport(ObservabilityOptions options, Func<string, string?> environment, ILogger<TelemetryExport> logger) : IHostedService, IDisposable
{
    /// <summary>ASP.NET Core's hosting source: its server span continues the client's traceparent and parents ours.</summary>
    private const string AspNetCoreSource = "Microsoft.AspNetCore";

    private TracerProvider? _tracing;
    private MeterProvider? _metrics;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoint = new Uri(options.OtlpEndpoint!);
        var protocol = options.OtlpProtocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        var resource = ResourceBuilder.CreateDefault().AddService(options.ServiceName,
            serviceVersion: typeof(TelemetryExport).Assembly.GetName().Version?.ToString());
        _tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.TraceSampleRatio)))
            .AddSource(SwitchyardActivity.SourceName, AspNetCoreSource)
            .AddOtlpExporter(exporter => Configure(exporter, endpoint, protocol, "v1/traces"))
            .Build();
        _metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(SwitchyardMetrics.MeterName)
            .AddOtlpExporter(exporter => Configure(exporter, endpoint, protocol, "v1/metrics"))
            .Build();
        logger.TelemetryExport(options.OtlpProtocol, endpoint.GetLeftPart(UriPartial.Authority));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // Disposing shuts the providers down, which exports what the batch processors still hold.
        _tracing?.Dispose();
        _tracing = null;
        _metrics?.Dispose();
        _metrics = null;
    }

    private void Configure(OtlpExporterOptions exporter, Uri endpoint, OtlpExportProtocol protocol, string signalPath)
    {
        exporter.Protocol = protocol;

        // Set in code, the endpoint is used as is: over HTTP each signal needs its own path, which
        // the exporter appends only for endpoints read from OTEL_* variables.
        exporter.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf && endpoint.AbsolutePath is "/" or ""
            ? new Uri(endpoint, signalPath)
            : endpoint;
        if (options.OtlpHeaders.Count > 0)
        {
            exporter.Headers = string.Join(',', options.OtlpHeaders.Select(h =>
                $"{h.Key}={EnvReferenceResolver.Resolve(h.Value, environment)}"));
        }
    }
}
