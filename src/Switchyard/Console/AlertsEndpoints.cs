using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchyard.Alerts;
using Switchyard.Console.Models;
using Switchyard.Console.Pages;

namespace Switchyard.Console;

internal static class AlertsEndpoints
{
    public static void Map(RouteGroupBuilder pages) => pages.MapGet("/alerts", (HttpContext context, AlertDispatcher alerts, DeliveryLog log) =>
        ConsolePages.Render<AlertsPage>(context, "alerts", "Alerts", new AlertsModel(alerts.Webhooks, log.Latest())))
        .RequireAuthorization(ConsoleAuth.StaffPolicy);
}
