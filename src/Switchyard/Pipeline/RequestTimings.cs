using System.Diagnostics;
using System.Globalization;

namespace Switchyard.Pipeline;

/// <summary>Where a request's time went, reported in <c>Server-Timing</c>.</summary>
public sealed class RequestTimings
{
    private readonly long _started = Stopwatch.GetTimestamp();

    /// <summary>Time spent waiting for upstreams (to response headers, summed over attempts).</summary>
    public TimeSpan Upstream { get; set; }

    public int Attempts { get; set; }

    /// <summary>Time spent waiting for a slot at a provider's concurrency limit.</summary>
    public TimeSpan Queue { get; set; }

    /// <summary>The deployment of the last attempt (the one that served, when one did).</summary>
    public string? Deployment { get; set; }

    /// <summary>When the first byte of the answer left for the client (the request log's time to first token).</summary>
    public TimeSpan? FirstByte { get; private set; }

    public void MarkFirstByte() => FirstByte ??= Elapsed;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    /// <summary>
    /// The request's span and metrics, set at the pipeline's boundary; the router and forwarders,
    /// which are handed these timings, report attempts and stream starts to it.
    /// </summary>
    public Diagnostics.RequestTelemetry? Telemetry { get; set; }

    /// <summary>
    /// <c>gateway</c> is the time spent in Switchyard itself up to the response headers; <c>upstream</c>
    /// the time waiting for the upstream's headers.
    /// </summary>
    public string ToServerTiming()
    {
        var gateway = Elapsed - Upstream - Queue;
        if (gateway < TimeSpan.Zero)
        {
            gateway = TimeSpan.Zero;
        }

        if (Attempts == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"gateway;dur={gateway.TotalMilliseconds:0.###}");
        }

        var timing = string.Create(CultureInfo.InvariantCulture,
            $"gateway;dur={gateway.TotalMilliseconds:0.###}, upstream;dur={Upstream.TotalMilliseconds:0.###};desc=\"attempts={Attempts} deployment={Deployment}\"");
        return Queue > TimeSpan.Zero
            ? timing + string.Create(CultureInfo.InvariantCulture, $", queue;dur={Queue.TotalMilliseconds:0.###}")
            : timing;
    }
}
