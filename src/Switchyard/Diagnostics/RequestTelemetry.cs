using System.Diagnostics;
using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Pipeline;

namespace Switchyard.Diagnostics;

/// <summary>
/// One gateway request's telemetry as it goes: its span, the model it was routed as, the last
/// deployment tried, the usage served and when its stream started. The pipeline's boundary
/// starts and completes it (<see cref="GatewayTelemetry"/>); the router and forwarders reach it
/// through <see cref="GatewayRequest.Telemetry"/> and report to it.
/// </summary>
internal sealed class RequestTelemetry
{
    private readonly SwitchyardMetrics _metrics;
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _firstEvent;
    private int _streaming;

    internal RequestTelemetry(SwitchyardMetrics metrics, GatewayOperation operation, Activity? activity)
    {
        _metrics = metrics;
        Operation = operation;
        Activity = activity;
    }

    public GatewayOperation Operation { get; }

    /// <summary>The request span, when traces are recorded.</summary>
    public Activity? Activity { get; }

    /// <summary>The caller's key id (never the key), once authenticated.</summary>
    public string? KeyId { get; set; }

    /// <summary>The model the request was routed as (a catalog id, so a bounded label).</summary>
    public ModelEntry? Model { get; private set; }

    /// <summary>The deployment of the last attempt: the one that served, when one did.</summary>
    public Deployment? Deployment { get; private set; }

    public int Attempts { get; private set; }

    public Usage? Usage { get; private set; }

    /// <summary>An error that ended the answer after it had started (a broken stream).</summary>
    public GatewayError? Failure { get; private set; }

    /// <summary>True once a stream has started relaying to the client.</summary>
    public bool Streamed => _firstEvent != 0;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    internal string ModelLabel => Model?.Id ?? string.Empty;

    internal string DeploymentLabel => Deployment?.Name ?? string.Empty;

    internal string ProviderLabel => Deployment is { } deployment ? deployment.Provider.Type.TelemetryName : string.Empty;

    /// <summary>The router has resolved the model's candidates; the span takes the convention's name "{operation} {model}".</summary>
    public void Routing(ModelEntry model)
    {
        Model = model;
        if (Activity is { } activity)
        {
            activity.DisplayName = $"{Operation.Name} {model.Id}";
            activity.SetTag(TelemetryTags.RequestModel, model.Id);
        }
    }

    /// <summary>An attempt begins on <paramref name="deployment"/>; returns its span, when traces are recorded.</summary>
    public Activity? StartAttempt(ModelEntry entry, Deployment deployment)
    {
        Deployment = deployment;
        Attempts++;
        return SwitchyardActivity.StartAttempt(Operation, entry, deployment, Attempts);
    }

    /// <summary>An attempt ended; a committed one is the request's answer, whatever follows.</summary>
    public void EndAttempt(Activity? span, AttemptOutcome outcome)
    {
        if (outcome.Committed)
        {
            Usage = outcome.Usage;
            Failure = outcome.Error;
        }

        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(TelemetryTags.Outcome, outcome.Error is null ? "success" : outcome.Committed ? "broken" : "failure");
            if (outcome.Error is { } error)
            {
                span.SetTag(TelemetryTags.ErrorType, TelemetryTags.ErrorTypeOf(error.Kind));
                span.SetTag(TelemetryTags.StatusCode, error.UpstreamStatus ?? error.Status);
                span.SetStatus(ActivityStatusCode.Error, error.Code);
            }

            if (outcome.Usage is { } usage)
            {
                span.SetTag(TelemetryTags.UsageInputTokens, usage.TotalInputTokens);
                span.SetTag(TelemetryTags.UsageOutputTokens, usage.TotalOutputTokens);
            }
        }
    }

    /// <summary>The first event of a stream is about to reach the client: time to first token, and one more active stream.</summary>
    public void StreamStarted()
    {
        if (Interlocked.Exchange(ref _streaming, 1) != 0)
        {
            return;
        }

        _firstEvent = Stopwatch.GetTimestamp();
        _metrics.StreamStarted(Operation.SurfaceName, ModelLabel);
        _metrics.RecordTimeToFirstToken(Operation.Name, ModelLabel, ProviderLabel, DeploymentLabel, Stopwatch.GetElapsedTime(_started, _firstEvent).TotalSeconds);
    }

    /// <summary>The stream ended, however it did; safe to call more than once, and a no-op for an attempt that never started one.</summary>
    public void StreamEnded()
    {
        if (Interlocked.CompareExchange(ref _streaming, 2, 1) == 1)
        {
            _metrics.StreamEnded(Operation.SurfaceName, ModelLabel);
        }
    }

    /// <summary>Seconds per output token after the first, for a stream that finished well with more than one.</summary>
    internal double? TimePerOutputToken(long now)
    {
        if (_firstEvent == 0 || Failure is not null || Usage is not { TotalOutputTokens: > 1 } usage)
        {
            return null;
        }

        return Stopwatch.GetElapsedTime(_firstEvent, now).TotalSeconds / (usage.TotalOutputTokens - 1);
    }
}
