using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Switchyard.Console;

/// <summary>Renders a page component (static server rendering: HTML only, every value escaped by Razor) with its frame and model.</summary>
internal static class ConsolePages
{
    public static RazorComponentResult Render<TPage>(HttpContext context, string section, string title, object model, int status = StatusCodes.Status200OK)
        where TPage : IComponent
    {
        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        var frame = new PageFrame(ConsoleUser.From(context.User), antiforgery.GetAndStoreTokens(context).RequestToken ?? "", section, title);
        return new RazorComponentResult<TPage>(new Dictionary<string, object?> { ["Frame"] = frame, ["Model"] = model })
        {
            StatusCode = status,
        };
    }
}
