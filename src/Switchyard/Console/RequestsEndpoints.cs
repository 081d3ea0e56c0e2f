using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchyard.Console.Models;
using Switchyard.Console.Pages;
using Switchyard.Storage;

namespace Switchyard.Console;

/// <summary>The request log, newest first, filtered and paged; and one request's page.</summary>
internal static class RequestsEndpoints
{
    public const int PageSize = 50;

    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/requests", ListAsync);
        pages.MapGet("/requests/{id}", ShowAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ConsoleData data, string? since, string? until, string? keyId, string? teamId,
        string? model, string? status, string? surface, int? page)
    {
        var user = ConsoleUser.From(context.User);
        var scope = await data.ScopeAsync(user, context.RequestAborted);
        var filter = new RequestFilter(since ?? "", until ?? "", scope.KeyId ?? keyId ?? "", scope.TeamId ?? teamId ?? "", model ?? "", status ?? "", surface ?? "",
            Math.Max(1, page ?? 1));
        var query = scope.Narrow(new UsageFilter
        {
            KeyId = filter.KeyId.Length > 0 ? filter.KeyId : null,
            TeamId = filter.TeamId.Length > 0 ? filter.TeamId : null,
            Model = filter.Model.Length > 0 ? filter.Model : null,
            Surface = filter.Surface.Length > 0 ? filter.Surface : null,
            Status = int.TryParse(filter.Status, NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : null,
            Since = Time(filter.Since, endOfDay: false),
            Until = Time(filter.Until, endOfDay: true),
            Limit = PageSize + 1,
            Offset = (filter.Page - 1) * PageSize,
        });
        var rows = await data.RequestsAsync(query, context.RequestAborted);
        var names = await data.KeyNamesAsync(context.RequestAborted);
        var keys = user.SeesAllKeys ? await data.KeyChoicesAsync(activeOnly: false, scope, context.RequestAborted) : [];
        var teams = user.SeesAllKeys ? await data.TeamChoicesAsync(scope, context.RequestAborted) : [];
        return ConsolePages.Render<RequestsPage>(context, "requests", "Request log",
            new RequestsModel(filter, rows.Take(PageSize).ToList(), rows.Count > PageSize, names, keys, teams, data.ModelIds()));
    }

    private static async Task<IResult> ShowAsync(HttpContext context, ConsoleData data, string id)
    {
        var scope = await data.ScopeAsync(ConsoleUser.From(context.User), context.RequestAborted);
        var rows = await data.RequestsAsync(scope.Narrow(new UsageFilter { RequestId = id, Limit = 1 }), context.RequestAborted);
        if (rows.Count == 0)
        {
            return Results.NotFound();
        }

        var names = await data.KeyNamesAsync(context.RequestAborted);
        var team = rows[0].TeamId is { } teamId ? (await data.TeamChoicesAsync(ConsoleScope.Everything, context.RequestAborted)).FirstOrDefault(t => t.Id == teamId)?.Name ?? teamId : null;
        return ConsolePages.Render<RequestPage>(context, "requests", "Request " + id, new RequestModel(rows[0], names.GetValueOrDefault(rows[0].KeyId, rows[0].KeyId), team));
    }

    /// <summary>A date (a whole day) or a date and time, in UTC; anything else is no bound.</summary>
    private static DateTimeOffset? Time(string text, bool endOfDay)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? start.AddDays(1) : start;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }
}
