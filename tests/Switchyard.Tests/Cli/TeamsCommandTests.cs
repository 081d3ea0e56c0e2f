using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Switchyard.Cli;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Cli;

/// <summary><c>teams …</c>, <c>keys create --team</c>, <c>keys team</c> and <c>usage --team</c> on the store a running gateway uses.</summary>
public sealed partial class TeamsCommandTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await SwitchyardCommands.Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, Cancel);
        return (exit, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task Teams_made_by_the_cli_bind_their_keys_on_the_running_gateway(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok", promptTokens: 10, completionTokens: 5));
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
        {
            storage.Apply(config);
            config["models"]![0]!["pricing"] = new JsonObject { ["inputPerMTok"] = 1_000, ["outputPerMTok"] = 2_000 };
        });
        var config = gateway.ConfigPath;

        var created = await RunAsync("teams", "create", "--name", "research", "--rpm", "5", "--credits", "1", "--config", config);
        var teamId = IdLine().Match(created.Output).Groups[1].Value;
        var duplicate = await RunAsync("teams", "create", "--name", "research", "--config", config);
        var invalid = await RunAsync("teams", "create", "--name", "bad", "--rpm", "0", "--config", config);
        var key = await RunAsync("keys", "create", "--name", "member", "--team", teamId, "--config", config);
        var keyId = IdLine().Match(key.Output).Groups[1].Value;
        var orphan = await RunAsync("keys", "create", "--name", "orphan", "--team", "team_0000000000000000", "--config", config);
        using var client = gateway.HttpClient(KeyLine().Match(key.Output).Groups[1].Value);
        using var chat = await client.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"""), Cancel);

        // The account route writes the gateway's pending ledger rows first, so the CLI below reads the request.
        var account = await client.GetFromJsonAsync<JsonObject>("/v1/key", Cancel);
        var list = await RunAsync("teams", "list", "--config", config);
        var show = await RunAsync("teams", "show", teamId, "--config", config);
        var update = await RunAsync("teams", "update", teamId, "--rpm", "none", "--tpm", "500", "--name", "research-2", "--config", config);
        var badUpdate = await RunAsync("teams", "update", teamId, "--rpm", "lots", "--config", config);
        var topUp = await RunAsync("teams", "topup", teamId, "2.5", "--config", config);
        var usage = await RunAsync("usage", "--team", teamId, "--config", config);
        var keysList = await RunAsync("keys", "list", "--config", config);
        var refusedDelete = await RunAsync("teams", "delete", teamId, "--config", config);
        var leave = await RunAsync("keys", "team", keyId, "none", "--config", config);
        var unknownTeam = await RunAsync("keys", "team", keyId, "team_0000000000000000", "--config", config);
        var team = await AdminApi.TeamAsync(gateway, teamId);
        var deleted = await RunAsync("teams", "delete", teamId, "--config", config);
        var missing = await RunAsync("teams", "show", teamId, "--config", config);

        const decimal cost = (10 * 1_000 + 5 * 2_000) / 1_000_000m;
        Assert.Equal(0, created.Exit);
        Assert.StartsWith("team_", teamId, StringComparison.Ordinal);
        Assert.Equal(1, duplicate.Exit);
        Assert.Contains("Another team is named 'research'", duplicate.Error, StringComparison.Ordinal);
        Assert.Equal(1, invalid.Exit);
        Assert.Equal(0, key.Exit);
        Assert.Equal(1, orphan.Exit);
        Assert.Contains("team_0000000000000000", orphan.Error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal("5", chat.Headers.GetValues("x-ratelimit-limit-requests").Single());
        Assert.Equal(teamId, (string?)account!["team"]!["id"]);
        Assert.Equal(5, (int?)account["team"]!["limits"]!["rpm"]);
        Assert.Equal(1 - cost, (decimal?)account["team"]!["credits"]!["remaining"]);
        Assert.Matches($@"{teamId}\s+research\s+5\s+none\s+none\s+1\s+{1 - cost}", Assert.Single(list.Output.Split('\n'), l => l.StartsWith(teamId, StringComparison.Ordinal)));
        Assert.Contains(keyId, show.Output, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"1 granted, {cost} spent"), show.Output, StringComparison.Ordinal);
        Assert.Equal(0, update.Exit);
        Assert.Contains("rpm none, tpm 500", update.Output, StringComparison.Ordinal);
        Assert.Equal(1, badUpdate.Exit);
        Assert.Contains("'lots'", badUpdate.Error, StringComparison.Ordinal);
        Assert.Contains("3.5 credits granted", topUp.Output, StringComparison.Ordinal);
        Assert.EndsWith(teamId, Assert.Single(usage.Output.Split('\n'), l => l.Contains("gpt-test", StringComparison.Ordinal)).TrimEnd(), StringComparison.Ordinal);
        Assert.EndsWith(teamId, Assert.Single(keysList.Output.Split('\n'), l => l.StartsWith(keyId, StringComparison.Ordinal)).TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(1, refusedDelete.Exit);
        Assert.Contains("still has keys", refusedDelete.Error, StringComparison.Ordinal);
        Assert.Equal(0, leave.Exit);
        Assert.Equal(1, unknownTeam.Exit);
        Assert.Equal("research-2", (string?)team["name"]);
        Assert.Null(team["rpm"]);
        Assert.Equal(500, (int?)team["tpm"]);
        Assert.Equal(3.5m, (decimal?)team["credits"]!["granted"]);
        Assert.Equal(cost, (decimal?)team["credits"]!["spent"]);
        Assert.Equal(0, (int?)team["keys"]);
        Assert.Equal(0, deleted.Exit);
        Assert.Equal(1, missing.Exit);
    }

    [GeneratedRegex(@"^id:\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex IdLine();

    [GeneratedRegex(@"^key:\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex KeyLine();
}
