using System.Collections.Concurrent;
using System.Diagnostics;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// An in-memory trace exporter: listens to the <c>Switchyard</c> source, records every span with
/// all its data, and keeps the finished ones of one trace (tests run in parallel; each uses its
/// own trace id).
/// </summary>
public sealed class ActivityRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public ActivityRecorder(ActivityTraceId traceId)
    {
        GatewayInstance.RequireInProcess("listens to the gateway's activities");
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Switchyard",
            // Only this test's trace: spans of the other tests running beside it are not even created.
            Sample = (ref options) => options.TraceId == traceId ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId)
                {
                    _stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Stopped => _stopped.ToArray();

    /// <summary>Waits until at least <paramref name="count"/> spans of the trace have stopped (the request span stops just after the response ends).</summary>
    public async Task<IReadOnlyList<Activity>> WaitForAsync(int count, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_stopped.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, cancellationToken);
        }

        return Stopped;
    }

    public void Dispose() => _listener.Dispose();
}
