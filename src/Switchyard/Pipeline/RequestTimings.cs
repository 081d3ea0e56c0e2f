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

    /// <summary>When the first byte of the answer left for the client (the request log's time to first token).</summary>
    public TimeSpan? FirstByte { get; private set; }

    public void MarkFirstByte() => FirstByte ??= Elapsed;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    /// <summary>
    /// <c>gateway</c> is the time spent in Switchyard itself up to the response headers; <c>upstream</c>
    /// the time waiting for the upstream's headers.
    /// </summary>
    public string ToServerTiming()
    {
        var total = Elapsed;
        var gateway = total - Upstream;
        if (gateway < TimeSpan.Zero)
        {
            gateway = TimeSpan.Zero;
        }

        return Attempts == 0
            ? string.Create(CultureInfo.InvariantCulture, $"gateway;dur={gateway.TotalMilliseconds:0.###}")
            : string.Create(CultureInfo.InvariantCulture, $"gateway;dur={gateway.TotalMilliseconds:0.###}, upstream;dur={Upstream.TotalMilliseconds:0.###};desc=\"attempts={Attempts}\"");
    }
}
