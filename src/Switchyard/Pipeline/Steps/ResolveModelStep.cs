using Microsoft.AspNetCore.Routing;
using Switchyard.Configuration;
using Switchyard.Dialects;

namespace Switchyard.Pipeline.Steps;

/// <summary>
/// Which model, in which snapshot: the model the path or the body names, checked against the
/// caller's allow-list and the surface (404/403/400), and whether the answer streams.
/// </summary>
internal sealed class ResolveModelStep(SnapshotMonitor snapshots) : IGatewayStep
{
    public Task InvokeAsync(GatewayRequest request, GatewayHandler next)
    {
        var route = request.Route!;
        var body = request.Body.Span;
        var modelId = request.Context.GetRouteValue("model") as string ?? request.TopLevel.GetString(body, "model"u8);
        request.Stream = route.Stream ?? request.TopLevel.GetBoolean(body, "stream"u8) == true;
        request.JsonArray = request.Stream && route.JsonArrayUnlessAltSse && request.Context.Request.Query["alt"].ToString() != "sse";
        request.ModelId = RoutePlanner.Bounded(modelId);
        request.Catalog = snapshots.Current.Catalog;
        request.Model = RoutePlanner.Resolve(request.Catalog, request.Caller!, request.ModelId, request.Dialect!.Surface, route.Operation);
        return next(request);
    }
}
