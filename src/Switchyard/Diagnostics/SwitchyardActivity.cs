using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Switchyard.Catalog;

namespace Switchyard.Diagnostics;

/// <summary>
/// The gateway's one <see cref="ActivitySource"/>, named <c>Switchyard</c>: a span per request
/// and a child span per upstream attempt, with GenAI semantic-convention attributes. With no
/// listener (no OTLP endpoint configured) <see cref="ActivitySource.StartActivity(string, ActivityKind)"/>
/// returns null after one check, so tracing that is off costs next to nothing.
/// </summary>
internal static class SwitchyardActivity
{
    public const string SourceName = "Switchyard";

    public static ActivitySource Source { get; } = new(SourceName, typeof(SwitchyardActivity).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// The request span. Its parent is ASP.NET Core's server activity, which continues the
    /// client's W3C <c>traceparent</c>; when the host made none, the client's header is read here.
    /// </summary>
    public static Activity? StartRequest(HttpContext context, GatewayOperation operation)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var parent = default(ActivityContext);
        if (Activity.Current is null
            && context.Request.Headers.TryGetValue("traceparent", out var traceparent)
            && ActivityContext.TryParse(traceparent.ToString(), context.Request.Headers["tracestate"].ToString(), isRemote: true, out var remote))
        {
            parent = remote;
        }

        var activity = Source.StartActivity(operation.Name, ActivityKind.Internal, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(TelemetryTags.OperationName, operation.Name);
            activity.SetTag(TelemetryTags.Surface, operation.SurfaceName);
            activity.SetTag(TelemetryTags.RequestId, context.TraceIdentifier);
        }

        return activity;
    }

    /// <summary>A client span for one attempt on one deployment, a child of the request span.</summary>
    public static Activity? StartAttempt(GatewayOperation? operation, ModelEntry entry, Deployment deployment, int attempt)
    {
        var name = operation?.Name ?? "chat";
        var activity = Source.StartActivity(name, ActivityKind.Client);
        if (activity is null)
        {
            return null;
        }

        // The convention's span name is "{operation} {model}", the model as the upstream knows it.
        activity.DisplayName = $"{name} {deployment.UpstreamModel}";
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(TelemetryTags.OperationName, name);
            activity.SetTag(TelemetryTags.RequestModel, deployment.UpstreamModel);
            activity.SetTag(TelemetryTags.ProviderName, deployment.Provider.Type.TelemetryName);
            activity.SetTag(TelemetryTags.Deployment, deployment.Name);
            activity.SetTag(TelemetryTags.Attempt, attempt);
            activity.SetTag(TelemetryTags.Model, entry.Id);
        }

        return activity;
    }

    /// <summary>
    /// Puts the attempt span's <c>traceparent</c> (and <c>tracestate</c>) on an upstream request, in
    /// place of the client's that <see cref="Forwarding.HeaderPolicy"/> passed on. The upstream
    /// handler's own propagator is off (see <see cref="Forwarding.UpstreamHandlerFactory"/>), so
    /// this is the one place trace context leaves the gateway. When the gateway records no span
    /// the client's headers stay: the upstream then joins the client's trace directly.
    /// </summary>
    public static void InjectTraceContext(HttpRequestMessage request)
    {
        if (Activity.Current is not { IdFormat: ActivityIdFormat.W3C } current || current.Source != Source)
        {
            return;
        }

        request.Headers.Remove("traceparent");
        request.Headers.Remove("tracestate");
        request.Headers.TryAddWithoutValidation("traceparent", current.Id);
        if (current.TraceStateString is { Length: > 0 } state)
        {
            request.Headers.TryAddWithoutValidation("tracestate", state);
        }
    }
}
