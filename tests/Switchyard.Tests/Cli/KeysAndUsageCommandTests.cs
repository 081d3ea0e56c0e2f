using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Switchyard.Cli;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Cli;

/// <summary>The CLI on the store a running gateway uses: keys create/list/topup/revoke and usage.</summary>
public sealed partial class KeysAndUsageCommandTests
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
    public async Task Keys_made_and_topped_up_by_the_cli_work_on_the_running_gateway(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok", promptTokens: 10, completionTokens: 5));
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
        {
            storage.Apply(config);
            config["models"]![0]!["pricing"] = new JsonObject { ["inputPerMTok"] = 1_000, ["outputPerMTok"] = 2_000 };
        });

        var created = await RunAsync("keys", "create", "--name", "from-cli", "--credits", "5", "--rpm", "10", "--config", gateway.ConfigPath);
        var id = IdLine().Match(created.Output).Groups[1].Value;
        var secret = KeyLine().Match(created.Output).Groups[1].Value;
        using var client = gateway.HttpClient(secret);
        using var chat = await client.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"""), Cancel);
        using var account = await client.GetAsync("/v1/key", Cancel);
        var topUp = await RunAsync("keys", "topup", id, "2.5", "--config", gateway.ConfigPath);
        var list = await RunAsync("keys", "list", "--config", gateway.ConfigPath);
        var usage = await RunAsync("usage", "--key", id, "--since", DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "--config", gateway.ConfigPath);
        var key = await AdminApi.KeyAsync(gateway, id);
        var unknown = await RunAsync("keys", "topup", "key_missing", "1", "--config", gateway.ConfigPath);

        const decimal cost = (10 * 1_000 + 5 * 2_000) / 1_000_000m;
        Assert.Equal(0, created.Exit);
        Assert.StartsWith("sk-sy-", secret, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal("10", chat.Headers.GetValues("x-ratelimit-limit-requests").Single());
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
        Assert.Equal(0, topUp.Exit);
        Assert.Contains("7.5 credits granted", topUp.Output, StringComparison.Ordinal);
        Assert.Equal(7.5m, (decimal?)key["credits"]!["granted"]);
        Assert.Equal(cost, (decimal?)key["credits"]!["spent"]);
        var row = Assert.Single(list.Output.Split('\n'), line => line.StartsWith(id, StringComparison.Ordinal));
        Assert.Contains(secret[..8], row, StringComparison.Ordinal);
        Assert.Contains((7.5m - cost).ToString(System.Globalization.CultureInfo.InvariantCulture), row, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list.Output, StringComparison.Ordinal);
        var usageRow = Assert.Single(usage.Output.Split('\n'), line => line.Contains("gpt-test", StringComparison.Ordinal));
        Assert.Matches($@"{id}\s+gpt-test\s+1\s+10\s+0\s+5\s+0\s+{cost}", usageRow);
        Assert.Equal(1, unknown.Exit);
        Assert.Contains("key_missing", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_revoked_by_another_process_is_refused_within_five_seconds()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var created = await RunAsync("keys", "create", "--name", "doomed", "--config", gateway.ConfigPath);
        var id = IdLine().Match(created.Output).Groups[1].Value;
        using var client = gateway.HttpClient(KeyLine().Match(created.Output).Groups[1].Value);
        using var before = await client.GetAsync("/v1/models", Cancel);

        var revoked = await RunAsync("keys", "revoke", id, "--config", gateway.ConfigPath);
        var clock = Stopwatch.StartNew();
        HttpStatusCode status;
        TimeSpan sent;
        do
        {
            // When the request was sent: its own latency on a busy machine is not the cache's.
            sent = clock.Elapsed;
            using var response = await client.GetAsync("/v1/models", Cancel);
            status = response.StatusCode;
            if (status == HttpStatusCode.OK)
            {
                await Task.Delay(100, Cancel);
            }
        }
        while (status == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(0, revoked.Exit);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(sent < TimeSpan.FromSeconds(5), $"still accepted after {sent}");
    }

    [GeneratedRegex(@"^id:\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex IdLine();

    [GeneratedRegex(@"^key:\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex KeyLine();
}
