using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchyard.Console.Models;
using Switchyard.Console.Pages;
using Switchyard.Storage;

namespace Switchyard.Console;

/// <summary>Usage per day, model, key or team, tokens in their buckets and credits, on a page and as CSV.</summary>
internal static class UsageEndpoints
{
    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/usage", PageAsync);
        pages.MapGet("/usage.csv", CsvAsync);
    }

    private static async Task<IResult> PageAsync(HttpContext context, ConsoleData data, string? groupBy, string? since, string? until, string? keyId,
        string? teamId, string? model)
    {
        var user = ConsoleUser.From(context.User);
        var scope = await data.ScopeAsync(user, context.RequestAborted);
        var (filter, sinceText, untilText) = Filter(data, scope, since, until, keyId, teamId, model);
        var summary = await data.SummarizeAsync(filter, context.RequestAborted);
        var names = await data.KeyNamesAsync(context.RequestAborted);
        var teams = user.SeesAllKeys ? await data.TeamChoicesAsync(scope, context.RequestAborted) : [];
        var teamNames = (await data.TeamChoicesAsync(ConsoleScope.Everything, context.RequestAborted)).ToDictionary(t => t.Id, t => t.Name, StringComparer.Ordinal);
        var group = groupBy is "model" or "key" or "team" ? groupBy : "day";
        var rows = summary
            .GroupBy(s => group switch { "model" => s.Model, "key" => s.KeyId, "team" => s.TeamId ?? "", _ => s.Day }, StringComparer.Ordinal)
            .Select(g => new UsageRow(g.Key, group switch
                {
                    "key" => names.GetValueOrDefault(g.Key, g.Key),
                    "team" => g.Key.Length == 0 ? "no team" : teamNames.GetValueOrDefault(g.Key, g.Key),
                    _ => g.Key,
                }, g.Sum(s => s.Requests), g.Sum(s => s.InputTokens),
                g.Sum(s => s.CachedInputTokens), g.Sum(s => s.CacheWriteTokens), g.Sum(s => s.OutputTokens), g.Sum(s => s.ReasoningTokens), g.Sum(s => s.Cost)))
            .OrderBy(r => group == "day" ? r.Group : "", StringComparer.Ordinal)
            .ThenByDescending(r => r.Cost).ThenByDescending(r => r.Requests)
            .ToList();
        var keys = user.SeesAllKeys ? await data.KeyChoicesAsync(activeOnly: false, scope, context.RequestAborted) : [];
        return ConsolePages.Render<UsagePage>(context, "usage", "Usage",
            new UsageModel(group, sinceText, untilText, filter.KeyId, filter.TeamId, filter.Model, rows, keys, teams, data.ModelIds()));
    }

    /// <summary>
    /// One row per day, key and model, as <c>GET /admin/usage</c> reports them, with the key's name;
    /// the team the row was charged to comes last, so readers of the columns before it are unchanged.
    /// </summary>
    private static async Task<IResult> CsvAsync(HttpContext context, ConsoleData data, string? since, string? until, string? keyId, string? teamId, string? model)
    {
        var user = ConsoleUser.From(context.User);
        var scope = await data.ScopeAsync(user, context.RequestAborted);
        var (filter, sinceText, untilText) = Filter(data, scope, since, until, keyId, teamId, model);
        var summary = await data.SummarizeAsync(filter, context.RequestAborted);
        var names = await data.KeyNamesAsync(context.RequestAborted);
        var teamNames = (await data.TeamChoicesAsync(ConsoleScope.Everything, context.RequestAborted)).ToDictionary(t => t.Id, t => t.Name, StringComparer.Ordinal);
        var csv = new StringBuilder("day,key_id,key_name,model,requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,cost,team_id,team_name\n");
        foreach (var row in summary)
        {
            csv.Append(CultureInfo.InvariantCulture,
                $"{row.Day},{Cell(row.KeyId)},{Cell(names.GetValueOrDefault(row.KeyId, ""))},{Cell(row.Model)},{row.Requests},{row.InputTokens},{row.CachedInputTokens},{row.CacheWriteTokens},{row.OutputTokens},{row.ReasoningTokens},{row.Cost:0.########},{Cell(row.TeamId ?? "")},{Cell(row.TeamId is { } team ? teamNames.GetValueOrDefault(team, "") : "")}\n");
        }

        context.Response.Headers.ContentDisposition = $"attachment; filename=\"switchyard-usage-{sinceText}-{untilText}.csv\"";
        return Results.Text(csv.ToString(), "text/csv; charset=utf-8");
    }

    private static (UsageFilter Filter, string Since, string Until) Filter(ConsoleData data, ConsoleScope scope, string? since, string? until, string? keyId,
        string? teamId, string? model)
    {
        var today = DateOnly.FromDateTime(data.Admin.Time.GetUtcNow().UtcDateTime);
        var from = DateOnly.TryParseExact(since, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var s) ? s : today.AddDays(-29);
        var to = DateOnly.TryParseExact(until, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var u) ? u : today;
        var filter = scope.Narrow(new UsageFilter
        {
            KeyId = string.IsNullOrEmpty(keyId) ? null : keyId,
            TeamId = string.IsNullOrEmpty(teamId) ? null : teamId,
            Model = string.IsNullOrEmpty(model) ? null : model,
            Since = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            Until = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
        });
        return (filter, from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    /// <summary>Quoted when needed; a leading = + - @ is defused so a spreadsheet shows a key's name rather than running it.</summary>
    internal static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
