using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchyard.Admin;
using Switchyard.Dialects;
using Switchyard.Storage;

namespace Switchyard.Surfaces;

/// <summary>
/// <c>/admin/teams</c> (docs/admin-api.md), beside the key routes and guarded as they are: a team's
/// limits and credits, which bind the sum of its keys' use. A key joins a team through its own
/// <c>team</c> field. A team that still has keys is not deleted (409): deleting it would lift its
/// limits from those keys unseen; move or revoke them first.
/// </summary>
internal static class AdminTeamRoutes
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapPost("/teams", CreateAsync);
        admin.MapGet("/teams", ListAsync);
        admin.MapGet("/teams/{id}", GetAsync);
        admin.MapPatch("/teams/{id}", UpdateAsync);
        admin.MapDelete("/teams/{id}", DeleteAsync);
        admin.MapPost("/teams/{id}/credits", AddCreditsAsync);
    }

    private static Task CreateAsync(HttpContext context, AdminServices services) => AdminSurface.GuardAsync(context, services, async () =>
    {
        using var body = await AdminSurface.ReadBodyAsync(context);
        var fields = TeamFields.Read(body.RootElement, requireName: true);
        var team = await services.CreateTeamAsync(fields.ToRecord(), context.RequestAborted) ?? throw NameTaken(fields.Name!);
        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.Headers.Location = "/admin/teams/" + team.Id;
        await AdminSurface.WriteJsonAsync(context, writer => KeyObjects.WriteTeam(writer, team, 0m, 0));
    });

    private static Task ListAsync(HttpContext context, AdminServices services) => AdminSurface.GuardAsync(context, services, async () =>
    {
        await services.Writer.FlushAsync(context.RequestAborted);
        var teams = await services.ListTeamsAsync(context.RequestAborted);
        var spent = await services.SpentByTeamAsync(context.RequestAborted);
        var keys = await KeyCountsAsync(services, context.RequestAborted);
        await AdminSurface.WriteJsonAsync(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("data"u8);
            foreach (var team in teams)
            {
                KeyObjects.WriteTeam(writer, team, spent.GetValueOrDefault(team.Id), keys.GetValueOrDefault(team.Id));
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    });

    private static Task GetAsync(HttpContext context, string id, AdminServices services) => AdminSurface.GuardAsync(context, services, async () =>
    {
        var team = await services.GetTeamAsync(id, context.RequestAborted) ?? throw NotFound(id);
        await WriteTeamAsync(context, services, team);
    });

    private static Task UpdateAsync(HttpContext context, string id, AdminServices services) => AdminSurface.GuardAsync(context, services, async () =>
    {
        using var body = await AdminSurface.ReadBodyAsync(context);
        var fields = TeamFields.Read(body.RootElement, requireName: false);
        var (outcome, team) = await services.UpdateTeamAsync(id, fields.ToChanges(), context.RequestAborted);
        await WriteTeamAsync(context, services, outcome switch
        {
            TeamWrite.Done => team!,
            TeamWrite.NameTaken => throw NameTaken(fields.Name!),
            _ => throw NotFound(id),
        });
    });

    private static Task DeleteAsync(HttpContext context, string id, AdminServices services) => AdminSurface.GuardAsync(context, services, async () =>
    {
        switch (await services.DeleteTeamAsync(id, context.RequestAborted))
        {
            case TeamWrite.Done:
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                break;
            case TeamWrite.HasKeys:
                throw new GatewayException(new GatewayError(GatewayErrorKind.Conflict,
                    $"Team '{id}' still has keys that are not revoked; move them to another team (or none) or revoke them first."));
            default:
                throw NotFound(id);
        }
    });

    private static Task AddCreditsAsync(HttpContext context, string id, AdminServices services) => AdminSurface.GuardAsync(context, services, async () =>
    {
        using var body = await AdminSurface.ReadBodyAsync(context);
        var amount = AdminSurface.ReadAmount(body.RootElement);
        var team = await services.AddTeamCreditsAsync(id, amount, context.RequestAborted) ?? throw NotFound(id);
        await WriteTeamAsync(context, services, team);
    });

    private static async Task WriteTeamAsync(HttpContext context, AdminServices services, TeamRecord team)
    {
        var spent = team.Credits is null ? 0m : await services.TeamSpentAsync(team.Id, context.RequestAborted);
        var keys = await KeyCountsAsync(services, context.RequestAborted);
        await AdminSurface.WriteJsonAsync(context, writer => KeyObjects.WriteTeam(writer, team, spent, keys.GetValueOrDefault(team.Id)));
    }

    /// <summary>Keys not revoked, per team.</summary>
    private static async Task<Dictionary<string, int>> KeyCountsAsync(AdminServices services, CancellationToken cancellationToken) =>
        (await services.ListKeysAsync(cancellationToken))
            .Where(k => k.TeamId is not null && k.RevokedAt is null)
            .GroupBy(k => k.TeamId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    private static GatewayException NotFound(string id) => new(new GatewayError(GatewayErrorKind.NotFound, $"No team has the id '{id}'."));

    private static GatewayException NameTaken(string name) =>
        new(new GatewayError(GatewayErrorKind.Conflict, $"Another team is named '{name}'; team names are unique.") { Param = "name" });
}
