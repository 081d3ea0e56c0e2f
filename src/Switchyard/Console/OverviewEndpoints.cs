using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchyard.Console.Pages;

namespace Switchyard.Console;

internal static class OverviewEndpoints
{
    /// <summary><c>/ui</c> and <c>/ui/</c> alike.</summary>
    public static void Map(RouteGroupBuilder pages) => pages.MapGet("/", OverviewAsync);

    private static async Task<IResult> OverviewAsync(HttpContext context, ConsoleData data, string? range)
    {
        var user = ConsoleUser.From(context.User);
        var model = await data.OverviewAsync(user, await data.ScopeAsync(user, context.RequestAborted), range ?? "24h", context.RequestAborted);
        return ConsolePages.Render<OverviewPage>(context, "overview", "Overview", model);
    }
}
