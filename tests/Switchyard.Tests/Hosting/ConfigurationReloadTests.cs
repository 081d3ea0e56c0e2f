using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Hosting;

/// <summary>
/// A reload compiles a new snapshot and swaps it in whole: the next request sees every changed
/// setting, a reload with any problem changes nothing, and settings read only at start are named.
/// </summary>
public sealed class ConfigurationReloadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<GatewayInstance> StartAsync(FakeUpstream upstream, CapturingLoggerProvider logs) =>
        await GatewayInstance.StartAsync(config =>
        {
            config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "oai", ["type"] = "openai", ["baseUrl"] = upstream.BaseUrl + "/v1", ["retries"] = 5 });
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "m", ["provider"] = "oai" });
            config["routing"] = new JsonObject { ["backoffMilliseconds"] = 1, ["maxAttempts"] = 6, ["benchAfterFailures"] = 10 };
        }, logs: logs, minimumLogLevel: LogLevel.Information);

    private static async Task EditAsync(GatewayInstance gateway, Action<JsonObject> edit)
    {
        var config = JsonNode.Parse(await File.ReadAllTextAsync(gateway.ConfigPath, Ct))!.AsObject();
        edit(config);
        await File.WriteAllTextAsync(gateway.ConfigPath, config.ToJsonString(), Ct);
    }

    private static string Chat(string model, int padding = 0) =>
        $$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{new string('x', padding)}}"}]}""";

    [Fact]
    public async Task The_next_request_sees_every_setting_a_reload_changed()
    {
        var logs = new CapturingLoggerProvider();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, logs);
        using var client = gateway.HttpClient();
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, """{"error":{"message":"down","type":"server_error"}}""", 500);
        using var failingBefore = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat("m")), Ct);
        var attemptsBefore = upstream.Requests.Count;
        using var bigBefore = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat("nope", 3000)), Ct);

        await EditAsync(gateway, config =>
        {
            config["limits"] = new JsonObject { ["maxBodyBytes"] = 2000 };
            config["routing"]!["maxAttempts"] = 1;
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "added", ["provider"] = "oai" });
        });
        await logs.WaitForAsync(l => l.EventId.Id == 1100, 1, Ct);
        using var big = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat("m", 3000)), Ct);
        var before = upstream.Requests.Count;
        using var failing = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat("m")), Ct);
        var attempts = upstream.Requests.Count - before;
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("hello"));
        using var added = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat("added")), Ct);

        Assert.Equal(6, attemptsBefore);
        Assert.Equal(HttpStatusCode.NotFound, bigBefore.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        Assert.Equal(1, attempts);
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
    }

    [Fact]
    public async Task A_reload_with_a_problem_changes_nothing()
    {
        var logs = new CapturingLoggerProvider();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, logs);
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("hello"));
        using var client = gateway.HttpClient();

        await EditAsync(gateway, config =>
        {
            config["limits"] = new JsonObject { ["maxBodyBytes"] = 2000 };
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "added", ["provider"] = "no-such-provider" });
        });
        await logs.WaitForAsync(l => l.EventId.Id == 1101, 1, Ct);
        using var big = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat("m", 3000)), Ct);
        using var added = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat("added")), Ct);

        Assert.Equal(HttpStatusCode.OK, big.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, added.StatusCode);
        Assert.Contains(logs.Logs, l => l.EventId.Id == 1101 && l.Message.Contains("models[1].provider", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Logs, l => l.EventId.Id == 1100);
    }

    [Fact]
    public async Task A_reload_names_the_settings_that_need_a_restart_and_applies_the_rest()
    {
        var logs = new CapturingLoggerProvider();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, logs);
        using var client = gateway.HttpClient();

        await EditAsync(gateway, config =>
        {
            config["storage"]!["path"] = Path.Combine(gateway.Directory, "elsewhere.db");
            config["limits"] = new JsonObject { ["maxBodyBytes"] = 2000 };
        });
        await logs.WaitForAsync(l => l.EventId.Id == 1100, 1, Ct);
        using var big = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat("m", 3000)), Ct);

        Assert.Contains(logs.Logs, l => l.EventId.Id == 1102 && l.Message.Contains("storage.path", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
    }

    [Fact]
    public async Task Media_limits_follow_a_reload()
    {
        var logs = new CapturingLoggerProvider();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, logs);
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("a picture"));
        using var client = gateway.HttpClient();

        // The fake upstream is on loopback, so the media URLs it would be sent are checked and counted.
        var images = string.Join(',', Enumerable.Range(1, 3).Select(i => $$$"""{"type":"image_url","image_url":{"url":"http://93.184.215.{{{i}}}/a.png"}}"""));
        var body = $$"""{"model":"m","messages":[{"role":"user","content":[{{images}}]}]}""";
        using var before = await client.PostAsync("/v1/chat/completions", Requests.Json(body), Ct);
        await EditAsync(gateway, config => config["media"] = new JsonObject { ["maxImages"] = 2 });
        await logs.WaitForAsync(l => l.EventId.Id == 1100, 1, Ct);
        var sent = upstream.Requests.Count;
        using var after = await client.PostAsync("/v1/chat/completions", Requests.Json(body), Ct);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, after.StatusCode);
        Assert.Contains("3 media URLs; at most 2", await after.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(sent, upstream.Requests.Count);
    }

    [Fact]
    public async Task A_reload_names_the_console_and_alerts_which_are_wired_at_start()
    {
        var logs = new CapturingLoggerProvider();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, logs);

        await EditAsync(gateway, config =>
        {
            config["console"] = new JsonObject { ["sessionMinutes"] = 30 };
            config["alerts"] = new JsonObject { ["maxAttempts"] = 2 };
        });
        await logs.WaitForAsync(l => l.EventId.Id == 1100, 1, Ct);

        Assert.Contains(logs.Logs, l => l.EventId.Id == 1102 && l.Message.Contains("console", StringComparison.Ordinal));
        Assert.Contains(logs.Logs, l => l.EventId.Id == 1102 && l.Message.Contains("alerts", StringComparison.Ordinal));
    }
}
