using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchyard.Alerts;
using Switchyard.Console.Models;
using Switchyard.Console.Pages;

namespace Switchyard.Console;

internal static class AlertsEndpoints
{
    /// <summary>Deliveries name every key and team, so a viewer scoped to one team does not see them.</summary>
    public static void Map(RouteGroupBuilder pages) => pages.MapGet("/alerts", (HttpContext context, AlertDispatcher alerts, DeliveryLog log) =>
        ConsoleUser.From(context.User).OwnTeam is not null
            ? Results.StatusCode(StatusCodes.Status403Forbidden)
            : ConsolePages.Render<AlertsPage>(context, "alerts", "Alerts", new AlertsModel(alerts.Webhooks, log.Latest())))
        .RequireAuthorization(ConsoleAuth.StaffPolicy);
}
