using System.CommandLine;
using System.Globalization;
using Switchyard.Auth;

namespace Switchyard.Cli;

/// <summary><c>keys create|list|revoke</c> on the configured store.</summary>
public static class KeysCommand
{
    public static Command Create()
    {
        var command = new Command("keys", "Create, list and revoke API keys.");
        command.Add(CreateCommand());
        command.Add(ListCommand());
        command.Add(RevokeCommand());
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
        var command = new Command("create", "Create a key; its secret is printed once.") { name, models, rpm, tpm, maxConcurrent, credits, expires };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var (store, _) = await CliStore.OpenAsync(parseResult, cancellationToken);
            if (store is null)
            {
                return 1;
            }

            var allowed = parseResult.GetValue(models) is { Length: > 0 } list
                ? list.SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList()
                : null;
            var (record, secret) = KeyIssuer.Create(
                parseResult.GetRequiredValue(name), allowed, parseResult.GetValue(rpm), parseResult.GetValue(tpm),
                parseResult.GetValue(maxConcurrent), parseResult.GetValue(credits), parseResult.GetValue(expires), DateTimeOffset.UtcNow);
            await store.InsertAsync(record, cancellationToken);
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
            var (store, _) = await CliStore.OpenAsync(parseResult, cancellationToken);
            if (store is null)
            {
                return 1;
            }

            var output = parseResult.InvocationConfiguration.Output;
            await output.WriteLineAsync($"{"ID",-22} {"NAME",-20} {"PREFIX",-10} {"MODELS",-24} STATUS");
            foreach (var key in await store.ListAsync(cancellationToken))
            {
                var status = key.RevokedAt is not null ? "revoked"
                    : key.ExpiresAt <= DateTimeOffset.UtcNow ? "expired"
                    : "active";
                var models = key.AllowedModels is null ? "*" : string.Join(",", key.AllowedModels);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{key.Id,-22} {key.Name,-20} {key.Prefix,-10} {models,-24} {status}"));
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
            var (store, _) = await CliStore.OpenAsync(parseResult, cancellationToken);
            if (store is null)
            {
                return 1;
            }

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
}
