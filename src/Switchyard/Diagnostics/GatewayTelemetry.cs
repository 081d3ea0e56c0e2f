using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchyard.Pipeline;

namespace Switchyard.Diagnostics;

/// <summary>
/// Starts and completes each gateway request's telemetry at the pipeline's boundary: the request
/// span, the request-level metrics, and the one outcome line per request in the
/// <c>Switchyard.Requests</c> log category (which operators can raise to Warning to silence).
/// </summary>
internal sealed class GatewayTelemetry(SwitchyardMetrics metrics, Configuration.SnapshotMonitor snapshots, ILoggerFactory loggers)
{
    public const string RequestsCategory = "Switchyard.Requests";

    private readonly ILogger _logger = loggers.CreateLogger(RequestsCategory);

    public RequestTelemetry Start(HttpContext context, GatewayOperation operation, GatewayRequest timings)
    {
        var telemetry = new RequestTelemetry(metrics, operation, SwitchyardActivity.StartRequest(context, operation));
        timings.Telemetry = telemetry;
        return telemetry;
    }

    /// <summary>After the answer (or the error) has been written: metrics, span end, outcome log.</summary>
    public void Complete(HttpContext context, RequestTelemetry telemetry, int status)
    {
        var now = Stopwatch.GetTimestamp();
        var elapsed = telemetry.Elapsed;
        telemetry.StreamEnded();

        var operation = telemetry.Operation;
        var model = telemetry.ModelLabel;
        var deployment = telemetry.DeploymentLabel;
        metrics.RecordRequest(operation.SurfaceName, model, deployment, status, elapsed.TotalSeconds);
        var refused = status is StatusCodes.Status401Unauthorized or StatusCodes.Status402PaymentRequired
            or StatusCodes.Status403Forbidden or StatusCodes.Status429TooManyRequests;
        if (refused)
        {
            metrics.RecordRefusal(operation.SurfaceName, status, fromUpstream: telemetry.Attempts > 0);
        }

        if (telemetry.Usage is { } usage)
        {
            metrics.RecordUsage(operation.Name, model, telemetry.ProviderLabel, deployment, usage);
        }

        if (status < 400 && telemetry.TimePerOutputToken(now) is { } perToken)
        {
            metrics.RecordTimePerOutputToken(operation.Name, model, telemetry.ProviderLabel, deployment, perToken);
        }

        if (telemetry.Activity is { } activity)
        {
            EndSpan(activity, telemetry, status);
        }

        var milliseconds = elapsed.TotalMilliseconds;
        if (refused)
        {
            _logger.RequestRefused(context.TraceIdentifier, operation.SurfaceName, model, status, telemetry.KeyId, telemetry.Attempts);
        }
        else if (status >= 500 || telemetry.Failure is not null)
        {
            _logger.RequestFailed(context.TraceIdentifier, operation.SurfaceName, model, deployment, status,
                telemetry.Failure is { } failure ? TelemetryTags.ErrorTypeOf(failure.Kind) : null, milliseconds, telemetry.Attempts, telemetry.KeyId);
        }
        else
        {
            _logger.RequestCompleted(context.TraceIdentifier, operation.SurfaceName, model, deployment, status, milliseconds,
                telemetry.Attempts, telemetry.Streamed, telemetry.Usage?.TotalInputTokens ?? 0, telemetry.Usage?.TotalOutputTokens ?? 0, telemetry.KeyId);
        }
    }

    /// <summary>The chat request body at Trace level, only when <c>observability.logSensitiveData</c> is on.</summary>
    public void LogRequestBody(HttpContext context, ReadOnlySpan<byte> body)
    {
        if (snapshots.Current.Observability.LogSensitiveData && _logger.IsEnabled(LogLevel.Trace))
        {
            _logger.RequestBodySensitive(context.TraceIdentifier, Encoding.UTF8.GetString(body));
        }
    }

    private static void EndSpan(Activity activity, RequestTelemetry telemetry, int status)
    {
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(TelemetryTags.StatusCode, status);
            activity.SetTag(TelemetryTags.Attempts, telemetry.Attempts);
            activity.SetTag(TelemetryTags.Stream, telemetry.Streamed);
            if (telemetry.Deployment is { } deployment)
            {
                activity.SetTag(TelemetryTags.Deployment, deployment.Name);
                activity.SetTag(TelemetryTags.ProviderName, deployment.Provider.Type.TelemetryName);
                activity.SetTag(TelemetryTags.ResponseModel, deployment.UpstreamModel);
            }

            if (telemetry.Usage is { } usage)
            {
                activity.SetTag(TelemetryTags.UsageInputTokens, usage.TotalInputTokens);
                activity.SetTag(TelemetryTags.UsageOutputTokens, usage.TotalOutputTokens);
            }

            if (telemetry.Failure is { } failure)
            {
                activity.SetTag(TelemetryTags.ErrorType, TelemetryTags.ErrorTypeOf(failure.Kind));
            }
        }

        // Spans of requests the gateway could not serve are errors; refusals of the client's own making are not.
        if (status >= 500 || telemetry.Failure is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }

        activity.Dispose();
    }
}
