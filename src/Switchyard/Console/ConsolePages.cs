using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Switchyard.Console;

/// <summary>Renders a page component (static server rendering: HTML only, every value escaped by Razor) with its frame and model.</summary>
internal static class ConsolePages
{
    /// <summary>
    /// A short page for a refusal or a miss that has no body of its own (authorization's 403, a
    /// route's 404), so a browser shows words and a way back rather than its own error page.
    /// </summary>
    public static async Task WriteStatusPageAsync(HttpContext context)
    {
        var response = context.Response;
        if (response.HasStarted || response.ContentLength is not null || response.ContentType is not null
            || response.StatusCode is not (StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden or StatusCodes.Status404NotFound))
        {
            return;
        }

        var message = response.StatusCode switch
        {
            StatusCodes.Status401Unauthorized => "Sign in first.",
            StatusCodes.Status403Forbidden => "You are signed in, but not allowed to do that.",
            _ => "There is nothing here.",
        };
        response.ContentType = "text/html; charset=utf-8";
        await response.WriteAsync(
            $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{response.StatusCode} · Switchyard</title>" +
            $"<link rel=\"stylesheet\" href=\"{ConsoleAssets.Url("console.css")}\"></head><body><main id=\"main\"><h1>{response.StatusCode}</h1>" +
            $"<p>{message}</p><p><a href=\"{ConsoleAuth.Path}\">Back to the console</a></p></main></body></html>");
    }

    /// <remarks>
    /// <typeparamref name="TPage"/> is annotated as Razor's result requires: a trimmed build (NativeAOT)
    /// then keeps each page's constructor and parameters, which the renderer finds by reflection.
    /// </remarks>
    public static RazorComponentResult Render<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TPage>(HttpContext context, string section, string title, object model, int status = StatusCodes.Status200OK)
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
