using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchyard.Auth;
using Switchyard.Console.Pages;

namespace Switchyard.Console;

internal static class ModelsEndpoints
{
    public static void Map(RouteGroupBuilder pages) => pages.MapGet("/models", ShowAsync);

    private static async Task<IResult> ShowAsync(HttpContext context, ConsoleData data, ApiKeyAuthenticator authenticator)
    {
        var user = ConsoleUser.From(context.User);
        Caller? caller = null;
        if (user.OwnKey is { } own && (caller = await authenticator.FindByIdAsync(own, context.RequestAborted)) is null)
        {
            return Results.NotFound();
        }

        return ConsolePages.Render<ModelsPage>(context, "models", "Models and deployments", data.Models(caller));
    }
}
