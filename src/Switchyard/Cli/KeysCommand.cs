using System.CommandLine;
using System.Globalization;
using Switchyard.Auth;

namespace Switchyard.Cli;

/// <summary><c>keys create|list|revoke|topup|team</c> on the configured store; a running gateway sees the change within 5 seconds.</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var command = new Command("keys", "Create, list, revoke and top up API keys, and put them in teams.");
        command.Add(CreateCommand());
        command.Add(ListCommand());
        command.Add(RevokeCommand());
        command.Add(TopUpCommand());
        command.Add(TeamCommand());
        return command;
    }

    private static Command CreateCommand()
    {
        var name = new Option<string>("--name") { Description = "A name to recognise the key by.", Required = true };
        var models = new Option<string[]>("--models") { Description = "Models the key may use (default: all).", AllowMultipleArgumentsPerToken = true };
        var rpm = new Option<int?>("--rpm") { Description = "Requests per minute." };
        var tpm = new Option<int?>("--tpm") { Description = "Tokens per minute." };
        var maxConcurrent = new Option<int?>("--max-concurrent") { Description = "Requests in flight at once." };
        var credits = new Option<decimal?>("--credits") { Description = "Credits granted." };
        var expires = new Option<DateTimeOffset?>("--expires") { Description = "Expiry time (ISO 8601)." };
        var team = new Option<string?>("--team") { Description = "The team the key belongs to (its id, from 'teams list')." };
        var command = new Command("create", "Create a key; its secret is printed once.") { name, models, rpm, tpm, maxConcurrent, credits, expires, team };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var stores = await CliStore.OpenAsync(parseResult, cancellationToken);
            if (stores is null)
            {
                return 1;
            }

            var store = stores.Keys;

            var allowed = parseResult.GetValue(models) is { Length: > 0 } list
                ? list.SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList()
                : null;
            var (record, secret) = KeyIssuer.Create(
                parseResult.GetRequiredValue(name), allowed, parseResult.GetValue(rpm), parseResult.GetValue(tpm),
                parseResult.GetValue(maxConcurrent), parseResult.GetValue(credits), parseResult.GetValue(expires), DateTimeOffset.UtcNow);
            record = record with { TeamId = parseResult.GetValue(team) };
            if (!await store.InsertAsync(record, cancellationToken))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"No team has the id '{record.TeamId}'.");
                return 1;
            }

            var output = parseResult.InvocationConfiguration.Output;
            await output.WriteLineAsync($"id:     {record.Id}");
            await output.WriteLineAsync($"name:   {record.Name}");
            await output.WriteLineAsync($"key:    {secret}");
            await output.WriteLineAsync("The key is shown only this once.");
            return 0;
        });
        return command;
    }

    private static Command ListCommand()
    {
        var command = new Command("list", "List keys (prefixes only; secrets are never shown again).");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var stores = await CliStore.OpenAsync(parseResult, cancellationToken);
            if (stores is null)
            {
                return 1;
            }

            var store = stores.Keys;

            var output = parseResult.InvocationConfiguration.Output;
            var spent = await stores.Ledger.SpentByKeyAsync(cancellationToken);
            await output.WriteLineAsync($"{"ID",-22} {"NAME",-20} {"PREFIX",-10} {"MODELS",-24} {"CREDITS LEFT",-14} {"STATUS",-8} TEAM");
            foreach (var key in await store.ListAsync(cancellationToken))
            {
                var status = key.RevokedAt is not null ? "revoked"
                    : key.ExpiresAt <= DateTimeOffset.UtcNow ? "expired"
                    : "active";
                var models = key.AllowedModels is null ? "*" : string.Join(",", key.AllowedModels);
                var credits = key.Credits is { } granted
                    ? (granted - spent.GetValueOrDefault(key.Id)).ToString("0.########", CultureInfo.InvariantCulture)
                    : "unlimited";
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{key.Id,-22} {key.Name,-20} {key.Prefix,-10} {models,-24} {credits,-14} {status,-8} {key.TeamId ?? "-"}"));
            }

            return 0;
        });
        return command;
    }

    private static Command RevokeCommand()
    {
        var id = new Argument<string>("id") { Description = "The key's id (from 'keys list')." };
        var command = new Command("revoke", "Revoke a key at once.") { id };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var stores = await CliStore.OpenAsync(parseResult, cancellationToken);
            if (stores is null)
            {
                return 1;
            }

            var store = stores.Keys;

            var keyId = parseResult.GetRequiredValue(id);
            if (!await store.RevokeAsync(keyId, DateTimeOffset.UtcNow, cancellationToken))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"No key has the id '{keyId}'.");
                return 1;
            }

            await parseResult.InvocationConfiguration.Output.WriteLineAsync($"Revoked {keyId}.");
            return 0;
        });
        return command;
    }

    private static Command TopUpCommand()
    {
        var id = new Argument<string>("id") { Description = "The key's id (from 'keys list')." };
        var amount = new Argument<decimal>("amount") { Description = "Credits to add (negative to take away)." };
        var command = new Command("topup", "Add credits to a key.") { id, amount };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var stores = await CliStore.OpenAsync(parseResult, cancellationToken);
            if (stores is null)
            {
                return 1;
            }

            var keyId = parseResult.GetRequiredValue(id);
            if (await stores.Keys.AddCreditsAsync(keyId, parseResult.GetRequiredValue(amount), cancellationToken) is not { } key)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"No key has the id '{keyId}'.");
                return 1;
            }

            var spent = await stores.Ledger.SpentAsync(keyId, cancellationToken);
            await parseResult.InvocationConfiguration.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{keyId}: {key.Credits:0.########} credits granted, {spent:0.########} spent, {key.Credits - spent:0.########} left."));
            return 0;
        });
        return command;
    }

    private static Command TeamCommand()
    {
        var id = new Argument<string>("id") { Description = "The key's id (from 'keys list')." };
        var team = new Argument<string>("team") { Description = "The team's id (from 'teams list'), or 'none' to take the key out of its team." };
        var command = new Command("team", "Put a key in a team (or none): the team's limits and credits bind it too.") { id, team };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var stores = await CliStore.OpenAsync(parseResult, cancellationToken);
            if (stores is null)
            {
                return 1;
            }

            var keyId = parseResult.GetRequiredValue(id);
            var teamId = parseResult.GetRequiredValue(team) is "none" ? null : parseResult.GetRequiredValue(team);
            var error = parseResult.InvocationConfiguration.Error;
            if (await stores.Keys.UpdateAsync(keyId, new Storage.KeyChanges { Team = new(teamId) }, cancellationToken) is null)
            {
                await error.WriteLineAsync(await stores.Keys.GetAsync(keyId, cancellationToken) is null ? $"No key has the id '{keyId}'." : $"No team has the id '{teamId}'.");
                return 1;
            }

            await parseResult.InvocationConfiguration.Output.WriteLineAsync(teamId is null ? $"{keyId} is in no team." : $"{keyId} is in team {teamId}.");
            return 0;
        });
        return command;
    }
}
