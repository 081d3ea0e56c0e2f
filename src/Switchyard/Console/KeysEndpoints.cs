using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchyard.Console.Models;
using Switchyard.Console.Pages;

namespace Switchyard.Console;

/// <summary>The key list and a key's page; creating, editing, topping up and revoking are for admins (the routes refuse anyone else).</summary>
internal static class KeysEndpoints
{
    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/keys", ListAsync);
        pages.MapPost("/keys", CreateAsync).RequireAuthorization(ConsoleAuth.AdminPolicy);
        pages.MapGet("/keys/{id}", ShowAsync);
        pages.MapPost("/keys/{id}", UpdateAsync).RequireAuthorization(ConsoleAuth.AdminPolicy);
        pages.MapPost("/keys/{id}/credits", TopUpAsync).RequireAuthorization(ConsoleAuth.AdminPolicy);
        pages.MapPost("/keys/{id}/revoke", RevokeAsync).RequireAuthorization(ConsoleAuth.AdminPolicy);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ConsoleData data)
    {
        var user = ConsoleUser.From(context.User);
        if (user.OwnKey is { } own)
        {
            return Results.Redirect($"{ConsoleAuth.Path}/keys/{Uri.EscapeDataString(own)}");
        }

        var scope = await data.ScopeAsync(user, context.RequestAborted);
        var keys = await data.KeysAsync(scope, context.RequestAborted);
        return ConsolePages.Render<KeysPage>(context, "keys", "Keys",
            new KeysModel(keys, data.ModelIds(), await data.TeamChoicesAsync(scope, context.RequestAborted), null, null, null));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ConsoleData data)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var models = data.ModelIds();
        var teams = await data.TeamChoicesAsync(ConsoleScope.Everything, context.RequestAborted);
        var (fields, error) = KeyForm.Read(form, null, models, teams);
        var created = fields is null ? null : await data.Admin.CreateKeyAsync(fields, context.RequestAborted);
        if (created is not { } made)
        {
            var keys = await data.KeysAsync(ConsoleScope.Everything, context.RequestAborted);
            return ConsolePages.Render<KeysPage>(context, "keys", "Keys",
                new KeysModel(keys, models, teams, null, null, error ?? "That team no longer exists."), StatusCodes.Status400BadRequest);
        }

        var all = await data.KeysAsync(ConsoleScope.Everything, context.RequestAborted);

        // The secret is in this response only: the page is not cached, and the store keeps its hash.
        return ConsolePages.Render<KeysPage>(context, "keys", "Keys", new KeysModel(all, models, teams, new KeyRow(made.Record, 0m, false), made.Secret, null),
            StatusCodes.Status201Created);
    }

    private static async Task<IResult> ShowAsync(HttpContext context, ConsoleData data, string id, string? done)
    {
        var user = ConsoleUser.From(context.User);
        var scope = await data.ScopeAsync(user, context.RequestAborted);
        var row = await data.KeyAsync(id, context.RequestAborted);
        if (row is null || !scope.Includes(row.Key))
        {
            return Results.NotFound();
        }

        var message = done switch
        {
            "saved" => "Saved.",
            "credited" => "Credits changed.",
            "revoked" => "Revoked: the key is refused from now on.",
            _ => null,
        };
        return ConsolePages.Render<KeyPage>(context, "keys", row.Key.Name, await data.KeyPageAsync(row, message, null, context.RequestAborted));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, ConsoleData data, string id)
    {
        var row = await data.KeyAsync(id, context.RequestAborted);
        if (row is null)
        {
            return Results.NotFound();
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var teams = await data.TeamChoicesAsync(ConsoleScope.Everything, context.RequestAborted);
        var (fields, error) = row.Configured ? (null, "This key is declared in the configuration file; change it there.") : KeyForm.Read(form, row.Key, data.ModelIds(), teams);
        if (fields is not null && !await data.Admin.UpdateKeyAsync(row.Key, fields, context.RequestAborted))
        {
            // The key was there a moment ago: its new team is what went away.
            (fields, error) = (null, "That team no longer exists.");
        }

        return fields is null
            ? ConsolePages.Render<KeyPage>(context, "keys", row.Key.Name, await data.KeyPageAsync(row, null, error, context.RequestAborted), StatusCodes.Status400BadRequest)
            : Done(id, "saved");
    }

    private static async Task<IResult> TopUpAsync(HttpContext context, ConsoleData data, string id)
    {
        var row = await data.KeyAsync(id, context.RequestAborted);
        if (row is null)
        {
            return Results.NotFound();
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (row.Configured || !KeyForm.Amount(form, out var amount))
        {
            var error = row.Configured ? "This key is declared in the configuration file; change its credits there." : "The amount is a number other than 0 (negative takes credits away).";
            return ConsolePages.Render<KeyPage>(context, "keys", row.Key.Name, await data.KeyPageAsync(row, null, error, context.RequestAborted),
                StatusCodes.Status400BadRequest);
        }

        return await data.Admin.AddCreditsAsync(id, amount, context.RequestAborted) is null ? Results.NotFound() : Done(id, "credited");
    }

    private static async Task<IResult> RevokeAsync(HttpContext context, ConsoleData data, string id)
    {
        var row = await data.KeyAsync(id, context.RequestAborted);
        if (row is { Configured: true })
        {
            return ConsolePages.Render<KeyPage>(context, "keys", row.Key.Name,
                await data.KeyPageAsync(row, null, "This key is declared in the configuration file; remove it there.", context.RequestAborted),
                StatusCodes.Status400BadRequest);
        }

        return row is not null && await data.Admin.RevokeKeyAsync(id, context.RequestAborted) ? Done(id, "revoked") : Results.NotFound();
    }

    /// <summary>Post, redirect, get: a reload does not repeat the change.</summary>
    private static IResult Done(string id, string what) => Results.Redirect($"{ConsoleAuth.Path}/keys/{Uri.EscapeDataString(id)}?done={what}");
}
