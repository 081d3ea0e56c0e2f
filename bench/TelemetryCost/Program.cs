// What the gateway's own telemetry costs per request, without HTTP: the request-path calls the
// pipeline, router and forwarders make for one served stream (span start and end, attempt,
// stream start and end, usage, completion with its metrics), timed over a million requests in
// three set-ups: nothing listening, the /metrics collector listening (the default), and the
// collector plus a recorded span tree (tracing on). "baseline" is the request context alone.
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Catalog;
using Switchyard.Diagnostics;
using Switchyard.Diagnostics.Prometheus;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Pipeline;

const int Requests = 1_000_000;
var Chat = new GatewayOperation("chat", "chat");
var provider = new Provider { Name = "up", Type = Switchyard.Providers.ProviderTypes.Find("openai")!, BaseUrl = "http://127.0.0.1:1" };
var deployment = new Deployment(provider, "gpt-4o-mini", 1);
var model = new ModelEntry { Id = "gpt-4o-mini", Kind = ModelKind.Chat, Surfaces = new HashSet<Surface> { DialectRegistry.FindSurface("chat")! }, Deployments = [deployment] };
var usage = new Usage { InputTokens = 10, OutputTokens = 20, Cost = 0.001m };

Console.WriteLine("setup                 ns/request   bytes/request");
foreach (var setup in new[] { "baseline", "no listener", "metrics", "metrics + traces" })
{
    var median = new List<(double Nanoseconds, double Bytes)>();
    for (var run = 0; run < 5; run++)
    {
        median.Add(Measure(setup));
    }

    var (nanoseconds, bytes) = median.OrderBy(m => m.Nanoseconds).ElementAt(2);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{setup,-20} {nanoseconds,12:0} {bytes,15:0}"));
}

(double Nanoseconds, double Bytes) Measure(string setup)
{
    using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    var factory = services.GetRequiredService<IMeterFactory>();
    var metrics = new SwitchyardMetrics(factory);
    using var collector = setup.StartsWith("metrics", StringComparison.Ordinal) ? new MetricsCollector(factory) : null;
    using var listener = setup.EndsWith("traces", StringComparison.Ordinal) ? new ActivityListener
    {
        ShouldListenTo = source => source.Name == SwitchyardActivity.SourceName,
        Sample = (ref _) => ActivitySamplingResult.AllDataAndRecorded,
    } : null;
    if (listener is not null)
    {
        ActivitySource.AddActivityListener(listener);
    }

    var telemetry = new GatewayTelemetry(metrics, new ObservabilitySettings(), NullLoggerFactory.Instance);
    for (var i = 0; i < Requests / 5; i++)
    {
        One(setup == "baseline", telemetry, metrics);
    }

    var allocated = GC.GetAllocatedBytesForCurrentThread();
    var started = Stopwatch.GetTimestamp();
    for (var i = 0; i < Requests; i++)
    {
        One(setup == "baseline", telemetry, metrics);
    }

    var elapsed = Stopwatch.GetElapsedTime(started);
    return (elapsed.TotalNanoseconds / Requests, (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)Requests);
}

void One(bool baseline, GatewayTelemetry telemetry, SwitchyardMetrics metrics)
{
    var context = new DefaultHttpContext();
    var timings = new GatewayRequest(context);
    context.Response.StatusCode = 200;
    if (baseline)
    {
        return;
    }

    var request = telemetry.Start(context, Chat, timings);
    request.Routing(model);
    using (var span = request.StartAttempt(model, deployment))
    {
        request.StreamStarted();
        metrics.RecordAttempt("chat", model.Id, "openai", deployment.Name, null, 0.01);
        request.EndAttempt(span, new AttemptOutcome(true, null, usage));
        request.StreamEnded();
    }

    telemetry.Complete(context, request);
}
