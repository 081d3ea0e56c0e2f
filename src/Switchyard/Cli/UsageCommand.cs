using System.CommandLine;
using System.Globalization;
using Switchyard.Storage;

namespace Switchyard.Cli;

/// <summary><c>usage [--key ID] [--team ID] [--since DATE]</c>: the ledger per day, key and model, from the configured store.</summary>
internal static class UsageCommand
{
    public static Command Create()
    {
        var key = new Option<string?>("--key") { Description = "Only this key's usage (its id)." };
        var team = new Option<string?>("--team") { Description = "Only the usage charged to this team (its id)." };
        var since = new Option<DateTimeOffset?>("--since") { Description = "From this date or time (UTC), e.g. 2025-01-01." };
        var command = new Command("usage", "Show usage and cost per day, key and model, with the team each was charged to.") { key, team, since };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var stores = await CliStore.OpenAsync(parseResult, cancellationToken);
            if (stores is null)
            {
                return 1;
            }

            var filter = new UsageFilter
            {
                KeyId = parseResult.GetValue(key),
                TeamId = parseResult.GetValue(team),
                Since = parseResult.GetValue(since) is { } from ? new DateTimeOffset(from.DateTime, TimeSpan.Zero) : null,
            };
            var rows = await stores.Ledger.SummarizeAsync(filter, cancellationToken);
            var output = parseResult.InvocationConfiguration.Output;
            await output.WriteLineAsync($"{"DAY",-10} {"KEY",-22} {"MODEL",-28} {"REQUESTS",9} {"INPUT",12} {"CACHED",12} {"OUTPUT",12} {"REASONING",12} {"COST",14} TEAM");
            foreach (var row in rows)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{row.Day,-10} {row.KeyId,-22} {row.Model,-28} {row.Requests,9} {row.InputTokens,12} {row.CachedInputTokens,12} {row.OutputTokens,12} {row.ReasoningTokens,12} {row.Cost,14:0.########} {row.TeamId ?? "-"}"));
            }

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{"total",-10} {"",-22} {"",-28} {rows.Sum(r => r.Requests),9} {rows.Sum(r => r.InputTokens),12} {rows.Sum(r => r.CachedInputTokens),12} {rows.Sum(r => r.OutputTokens),12} {rows.Sum(r => r.ReasoningTokens),12} {rows.Sum(r => r.Cost),14:0.########}"));
            return 0;
        });
        return command;
    }
}
