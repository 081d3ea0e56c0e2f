using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchyard.Console.Models;
using Switchyard.Console.Pages;
using Switchyard.Storage;

namespace Switchyard.Console;

/// <summary>
/// The team list and a team's page, for admins and viewers (a viewer whose single sign-on names a
/// team sees that team only); creating, editing, topping up and deleting are for admins (the
/// routes refuse anyone else).
/// </summary>
internal static class TeamsEndpoints
{
    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/teams", ListAsync).RequireAuthorization(ConsoleAuth.StaffPolicy);
        pages.MapPost("/teams", CreateAsync).RequireAuthorization(ConsoleAuth.AdminPolicy);
        pages.MapGet("/teams/{id}", ShowAsync).RequireAuthorization(ConsoleAuth.StaffPolicy);
        pages.MapPost("/teams/{id}", UpdateAsync).RequireAuthorization(ConsoleAuth.AdminPolicy);
        pages.MapPost("/teams/{id}/credits", TopUpAsync).RequireAuthorization(ConsoleAuth.AdminPolicy);
        pages.MapPost("/teams/{id}/delete", DeleteAsync).RequireAuthorization(ConsoleAuth.AdminPolicy);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ConsoleData data, string? done)
    {
        var scope = await data.ScopeAsync(ConsoleUser.From(context.User), context.RequestAborted);
        if (scope.TeamId is { Length: > 0 } own)
        {
            return Results.Redirect($"{ConsoleAuth.Path}/teams/{Uri.EscapeDataString(own)}");
        }

        var teams = await data.TeamsAsync(scope, context.RequestAborted);
        return ConsolePages.Render<TeamsPage>(context, "teams", "Teams", new TeamsModel(teams, done == "deleted" ? "Deleted." : null, null));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ConsoleData data)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var (fields, error) = TeamForm.Read(form, null);
        var team = fields is null ? null : await data.Admin.CreateTeamAsync(fields, context.RequestAborted);
        if (team is null)
        {
            var teams = await data.TeamsAsync(ConsoleScope.Everything, context.RequestAborted);
            return ConsolePages.Render<TeamsPage>(context, "teams", "Teams",
                new TeamsModel(teams, null, error ?? $"Another team is named '{fields!.Name}'."), StatusCodes.Status400BadRequest);
        }

        return Done(team.Id, "created");
    }

    private static async Task<IResult> ShowAsync(HttpContext context, ConsoleData data, string id, string? done)
    {
        var scope = await data.ScopeAsync(ConsoleUser.From(context.User), context.RequestAborted);
        var row = await data.TeamAsync(id, context.RequestAborted);
        if (row is null || !scope.Includes(row.Team))
        {
            return Results.NotFound();
        }

        var message = done switch
        {
            "created" => "Team created. Add keys to it from their pages, or create keys in it.",
            "saved" => "Saved.",
            "credited" => "Credits changed.",
            _ => null,
        };
        return ConsolePages.Render<TeamPage>(context, "teams", row.Team.Name, await data.TeamPageAsync(row, message, null, context.RequestAborted));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, ConsoleData data, string id)
    {
        var row = await data.TeamAsync(id, context.RequestAborted);
        if (row is null)
        {
            return Results.NotFound();
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var (fields, error) = TeamForm.Read(form, row.Team);
        if (fields is not null)
        {
            var (outcome, _) = await data.Admin.UpdateTeamAsync(id, TeamForm.Changes(row.Team, fields), context.RequestAborted);
            switch (outcome)
            {
                case TeamWrite.Done:
                    return Done(id, "saved");
                case TeamWrite.NameTaken:
                    error = $"Another team is named '{fields.Name}'.";
                    break;
                default:
                    return Results.NotFound();
            }
        }

        return await PageAsync(context, data, row, error, StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> TopUpAsync(HttpContext context, ConsoleData data, string id)
    {
        var row = await data.TeamAsync(id, context.RequestAborted);
        if (row is null)
        {
            return Results.NotFound();
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (!KeyForm.Amount(form, out var amount))
        {
            return await PageAsync(context, data, row, "The amount is a number other than 0 (negative takes credits away).", StatusCodes.Status400BadRequest);
        }

        return await data.Admin.AddTeamCreditsAsync(id, amount, context.RequestAborted) is null ? Results.NotFound() : Done(id, "credited");
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, ConsoleData data, string id)
    {
        var row = await data.TeamAsync(id, context.RequestAborted);
        if (row is null)
        {
            return Results.NotFound();
        }

        return await data.Admin.DeleteTeamAsync(id, context.RequestAborted) switch
        {
            TeamWrite.Done => Results.Redirect($"{ConsoleAuth.Path}/teams?done=deleted"),
            TeamWrite.HasKeys => await PageAsync(context, data, row,
                "This team still has keys: move them to another team (or none) or revoke them first, so no key loses its team's limits unseen.",
                StatusCodes.Status409Conflict),
            _ => Results.NotFound(),
        };
    }

    private static async Task<IResult> PageAsync(HttpContext context, ConsoleData data, TeamRow row, string? error, int status) =>
        ConsolePages.Render<TeamPage>(context, "teams", row.Team.Name, await data.TeamPageAsync(row, null, error, context.RequestAborted), status);

    /// <summary>Post, redirect, get: a reload does not repeat the change.</summary>
    private static IResult Done(string id, string what) => Results.Redirect($"{ConsoleAuth.Path}/teams/{Uri.EscapeDataString(id)}?done={what}");
}
