using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchyard.Auth;
using Switchyard.Diagnostics.Prometheus;
using Switchyard.Dialects;
using Switchyard.Hosting;
using Switchyard.Pipeline;

namespace Switchyard.Surfaces;

/// <summary>Health, readiness and metrics for load balancers, orchestrators and scrapers.</summary>
internal static class OpsSurface
{
    public static IEndpointRouteBuilder MapOps(this IEndpointRouteBuilder routes)
    {
        // Liveness: the process accepts requests.
        routes.MapGet("/healthz", () => Results.Text("ok"));

        // Readiness: the store is migrated and the catalog loaded.
        routes.MapGet("/readyz", (GatewayReadiness readiness) =>
            readiness.IsReady ? Results.Text("ready") : Results.Text("starting", statusCode: StatusCodes.Status503ServiceUnavailable));

        // Prometheus text format. Outside the pipeline, so no key limit ever applies to a scraper.
        routes.MapGet("/metrics", ScrapeAsync);
        return routes;
    }

    private static async Task ScrapeAsync(HttpContext context, MetricsAccess access, MetricsCollector collector)
    {
        var status = await access.CheckAsync(context.Request, context.RequestAborted);
        if (status != StatusCodes.Status200OK)
        {
            var error = status == StatusCodes.Status403Forbidden
                ? new GatewayError(GatewayErrorKind.ModelNotAllowed, "This key may not read the metrics; use the master key or the metrics token.")
                : new GatewayError(GatewayErrorKind.Unauthenticated, "The metrics need a credential: the master key or the metrics token as 'Authorization: Bearer ...'.");
            if (status == StatusCodes.Status401Unauthorized)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
            }

            await ErrorResponses.WriteProblemAsync(context, error);
            return;
        }

        var text = collector.Scrape();
        context.Response.ContentType = PrometheusTextWriter.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(text, context.RequestAborted);
    }
}
