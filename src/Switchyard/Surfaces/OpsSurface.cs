using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchyard.Hosting;

namespace Switchyard.Surfaces;

/// <summary>Health and readiness for load balancers and orchestrators.</summary>
public static class OpsSurface
{
    public static IEndpointRouteBuilder MapOps(this IEndpointRouteBuilder routes)
    {
        // Liveness: the process accepts requests.
        routes.MapGet("/healthz", () => Results.Text("ok"));

        // Readiness: the store is migrated and the catalog loaded.
        routes.MapGet("/readyz", (GatewayReadiness readiness) =>
            readiness.IsReady ? Results.Text("ready") : Results.Text("starting", statusCode: StatusCodes.Status503ServiceUnavailable));
        return routes;
    }
}
