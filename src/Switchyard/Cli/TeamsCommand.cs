using System.CommandLine;
using System.Globalization;
using Switchyard.Storage;

namespace Switchyard.Cli;

/// <summary>
/// <c>teams list|create|show|update|topup|delete</c> on the configured store; a running gateway sees
/// the change within 5 seconds. A key joins a team with <c>keys create --team</c> or <c>keys team</c>.
/// </summary>
internal static class TeamsCommand
{
    public static Command Create()
    {
        var command = new Command("teams", "List, create, show, change, top up and delete teams, whose limits and credits bind all their keys together.");
        command.Add(ListCommand());
        command.Add(CreateCommand());
        command.Add(ShowCommand());
        command.Add(UpdateCommand());
        command.Add(TopUpCommand());
        command.Add(DeleteCommand());
        return command;
    }

    private static Command ListCommand()
    {
        var command = new Command("list", "List teams with their limits and credits left.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var stores = await CliStore.OpenAsync(parseResult, cancellationToken);
            if (stores is null)
            {
                return 1;
            }

            var spent = await stores.Ledger.SpentByTeamAsync(cancellationToken);
            var keys = await stores.Keys.ListAsync(cancellationToken);
            var output = parseResult.InvocationConfiguration.Output;
            await output.WriteLineAsync($"{"ID",-22} {"NAME",-20} {"RPM",8} {"TPM",10} {"AT ONCE",8} {"KEYS",5} CREDITS LEFT");
            foreach (var team in await stores.Teams.ListAsync(cancellationToken))
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{team.Id,-22} {team.Name,-20} {Limit(team.Rpm),8} {Limit(team.Tpm),10} {Limit(team.MaxConcurrent),8} {keys.Count(k => k.TeamId == team.Id && k.RevokedAt is null),5} {Left(team, spent.GetValueOrDefault(team.Id))}"));
            }

            return 0;
        });
        return command;
    }

    private static Command CreateCommand()
    {
        var name = new Option<string>("--name") { Description = "The team's name (unique; single sign-on's team claim names it).", Required = true };
        var rpm = new Option<int?>("--rpm") { Description = "Requests per minute, all the team's keys together." };
        var tpm = new Option<int?>("--tpm") { Description = "Tokens per minute, all the team's keys together." };
        var maxConcurrent = new Option<int?>("--max-concurrent") { Description = "Requests in flight at once, all the team's keys together." };
        var credits = new Option<decimal?>("--credits") { Description = "Credits granted to the team." };
        var command = new Command("create", "Create a team.") { name, rpm, tpm, maxConcurrent, credits };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var team = new TeamRecord
            {
                Id = TeamIds.New(),
                Name = parseResult.GetRequiredValue(name).Trim(),
                Rpm = parseResult.GetValue(rpm),
                Tpm = parseResult.GetValue(tpm),
                MaxConcurrent = parseResult.GetValue(maxConcurrent),
                Credits = parseResult.GetValue(credits),
                CreatedAt = DateTimeOffset.UtcNow,
            };
            if (Problem(team) is { } problem)
            {
                await error.WriteLineAsync(problem);
                return 1;
            }

            await using var stores = await CliStore.OpenAsync(parseResult, cancellationToken);
            if (stores is null)
            {
                return 1;
            }

            if (await stores.Teams.InsertAsync(team, cancellationToken) == TeamWrite.NameTaken)
            {
                await error.WriteLineAsync($"Another team is named '{team.Name}'.");
                return 1;
            }

            await parseResult.InvocationConfiguration.Output.WriteLineAsync($"id:     {team.Id}");
            await parseResult.InvocationConfiguration.Output.WriteLineAsync($"name:   {team.Name}");
            return 0;
        });
        return command;
    }

    private static Command ShowCommand()
    {
        var id = new Argument<string>("id") { Description = "The team's id (from 'teams list')." };
        var command = new Command("show", "Show a team, what its keys spent together, and its keys.") { id };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var stores = await CliStore.OpenAsync(parseResult, cancellationToken);
            if (stores is null)
            {
                return 1;
            }

            var teamId = parseResult.GetRequiredValue(id);
            if (await stores.Teams.GetAsync(teamId, cancellationToken) is not { } team)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"No team has the id '{teamId}'.");
                return 1;
            }

            var spent = await stores.Ledger.TeamSpentAsync(teamId, cancellationToken);
            var output = parseResult.InvocationConfiguration.Output;
            await output.WriteLineAsync($"id:             {team.Id}");
            await output.WriteLineAsync($"name:           {team.Name}");
            await output.WriteLineAsync($"rpm:            {Limit(team.Rpm)}");
            await output.WriteLineAsync($"tpm:            {Limit(team.Tpm)}");
            await output.WriteLineAsync($"max concurrent: {Limit(team.MaxConcurrent)}");
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"credits:        {(team.Credits is { } granted ? $"{granted:0.########} granted, {spent:0.########} spent, {Left(team, spent)} left" : $"unlimited ({spent:0.########} spent)")}"));
            await output.WriteLineAsync("keys:");
            foreach (var key in (await stores.Keys.ListAsync(cancellationToken)).Where(k => k.TeamId == teamId))
            {
                await output.WriteLineAsync($"  {key.Id,-22} {key.Name,-20} {(key.RevokedAt is null ? "active" : "revoked")}");
            }

            return 0;
        });
        return command;
    }

    private static Command UpdateCommand()
    {
        var id = new Argument<string>("id") { Description = "The team's id (from 'teams list')." };
        var name = new Option<string?>("--name") { Description = "A new name." };
        var rpm = new Option<string?>("--rpm") { Description = "Requests per minute, or 'none' to lift the limit." };
        var tpm = new Option<string?>("--tpm") { Description = "Tokens per minute, or 'none'." };
        var maxConcurrent = new Option<string?>("--max-concurrent") { Description = "Requests in flight at once, or 'none'." };
        var credits = new Option<string?>("--credits") { Description = "Credits granted, set outright, or 'none' for unlimited (topup adds instead)." };
        var command = new Command("update", "Change a team's name, limits or credits; only the options given change.") { id, name, rpm, tpm, maxConcurrent, credits };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var changes = new TeamChanges();
            if (parseResult.GetValue(name) is { } newName)
            {
                changes = changes with { Name = new(newName.Trim()) };
            }

            foreach (var (option, apply) in new (Option<string?> Option, Func<int?, TeamChanges> Apply)[]
            {
                (rpm, value => changes with { Rpm = new(value) }),
                (tpm, value => changes with { Tpm = new(value) }),
                (maxConcurrent, value => changes with { MaxConcurrent = new(value) }),
            })
            {
                if (parseResult.GetValue(option) is not { } text)
                {
                    continue;
                }

                if (!TryLimit(text, out var value))
                {
                    await error.WriteLineAsync($"{option.Name}: '{text}' is not a positive whole number or 'none'.");
                    return 1;
                }

                changes = apply(value);
            }

            if (parseResult.GetValue(credits) is { } creditText)
            {
                if (creditText == "none")
                {
                    changes = changes with { Credits = new(null) };
                }
                else if (decimal.TryParse(creditText, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
                {
                    changes = changes with { Credits = new(amount) };
                }
                else
                {
                    await error.WriteLineAsync($"--credits: '{creditText}' is not a number of at least 0 or 'none'.");
                    return 1;
                }
            }

            if (changes.Name is { Set: true, Value.Length: 0 or > Surfaces.TeamFields.MaxNameLength })
            {
                await error.WriteLineAsync($"--name: a team's name has 1 to {Surfaces.TeamFields.MaxNameLength} characters.");
                return 1;
            }

            await using var stores = await CliStore.OpenAsync(parseResult, cancellationToken);
            if (stores is null)
            {
                return 1;
            }

            var teamId = parseResult.GetRequiredValue(id);
            var (outcome, team) = await stores.Teams.UpdateAsync(teamId, changes, cancellationToken);
            switch (outcome)
            {
                case TeamWrite.Done:
                    await parseResult.InvocationConfiguration.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{team!.Id} ({team.Name}): rpm {Limit(team.Rpm)}, tpm {Limit(team.Tpm)}, max concurrent {Limit(team.MaxConcurrent)}, credits {(team.Credits is { } granted ? granted.ToString("0.########", CultureInfo.InvariantCulture) : "unlimited")}."));
                    return 0;
                case TeamWrite.NameTaken:
                    await error.WriteLineAsync($"Another team is named '{changes.Name.Value}'.");
                    return 1;
                default:
                    await error.WriteLineAsync($"No team has the id '{teamId}'.");
                    return 1;
            }
        });
        return command;
    }

    private static Command TopUpCommand()
    {
        var id = new Argument<string>("id") { Description = "The team's id (from 'teams list')." };
        var amount = new Argument<decimal>("amount") { Description = "Credits to add (negative to take away)." };
        var command = new Command("topup", "Add credits to a team.") { id, amount };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var stores = await CliStore.OpenAsync(parseResult, cancellationToken);
            if (stores is null)
            {
                return 1;
            }

            var teamId = parseResult.GetRequiredValue(id);
            if (await stores.Teams.AddCreditsAsync(teamId, parseResult.GetRequiredValue(amount), cancellationToken) is not { } team)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"No team has the id '{teamId}'.");
                return 1;
            }

            var spent = await stores.Ledger.TeamSpentAsync(teamId, cancellationToken);
            await parseResult.InvocationConfiguration.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{teamId}: {team.Credits:0.########} credits granted, {spent:0.########} spent, {team.Credits - spent:0.########} left."));
            return 0;
        });
        return command;
    }

    private static Command DeleteCommand()
    {
        var id = new Argument<string>("id") { Description = "The team's id (from 'teams list')." };
        var command = new Command("delete", "Delete a team that has no keys (revoked ones aside).") { id };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var stores = await CliStore.OpenAsync(parseResult, cancellationToken);
            if (stores is null)
            {
                return 1;
            }

            var teamId = parseResult.GetRequiredValue(id);
            var error = parseResult.InvocationConfiguration.Error;
            switch (await stores.Teams.DeleteAsync(teamId, cancellationToken))
            {
                case TeamWrite.Done:
                    await parseResult.InvocationConfiguration.Output.WriteLineAsync($"Deleted {teamId}.");
                    return 0;
                case TeamWrite.HasKeys:
                    await error.WriteLineAsync($"Team '{teamId}' still has keys; move them ('keys team KEY none') or revoke them first.");
                    return 1;
                default:
                    await error.WriteLineAsync($"No team has the id '{teamId}'.");
                    return 1;
            }
        });
        return command;
    }

    /// <summary>The limits and name a team may have, as the admin API checks them.</summary>
    private static string? Problem(TeamRecord team) =>
        team.Name.Length is 0 or > Surfaces.TeamFields.MaxNameLength ? $"--name: a team's name has 1 to {Surfaces.TeamFields.MaxNameLength} characters."
        : team.Rpm <= 0 || team.Tpm <= 0 || team.MaxConcurrent <= 0 ? "--rpm, --tpm and --max-concurrent are positive whole numbers."
        : team.Credits < 0 ? "--credits is a number of at least 0."
        : null;

    private static bool TryLimit(string text, out int? value)
    {
        value = null;
        if (text == "none")
        {
            return true;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0)
        {
            value = number;
            return true;
        }

        return false;
    }

    private static string Limit(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "none";

    private static string Left(TeamRecord team, decimal spent) =>
        team.Credits is { } granted ? (granted - spent).ToString("0.########", CultureInfo.InvariantCulture) : "unlimited";
}
