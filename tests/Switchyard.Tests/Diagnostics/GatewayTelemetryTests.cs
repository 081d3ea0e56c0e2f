using Switchyard.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Diagnostics;

public sealed class GatewayTelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string PromptCanary = "PROMPT-CANARY-7f3a9c";
    private const string CompletionCanary = "COMPLETION-CANARY-51be0d";
    private const string BogusKey = "sk-bogus-KEY-CANARY-0123456789";

    [Fact]
    public async Task Logs_one_outcome_line_per_request_and_never_a_prompt_a_completion_or_a_key()
    {
        // A gateway in another process writes its events' values as JSON, not as the typed values compared here.
        GatewayInstance.RequireInProcess("compares its log events' values by type");
        var logs = new CapturingLoggerProvider();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartAsync(config =>
        {
            config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "oai", ["type"] = "openai", ["baseUrl"] = upstream.BaseUrl + "/v1", ["apiKey"] = GatewayInstance.UpstreamKey });
            config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "bad", ["type"] = "openai", ["baseUrl"] = upstream.BaseUrl + "/bad/v1", ["apiKey"] = GatewayInstance.UpstreamKey, ["retries"] = 2 });
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "gpt-test", ["provider"] = "oai", ["model"] = "gpt-upstream" });
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "broken", ["provider"] = "bad", ["model"] = "broken-upstream" });
            config["routing"] = new JsonObject { ["backoffMilliseconds"] = 5 };
        }, logs: logs, minimumLogLevel: LogLevel.Trace);
        upstream.Default = (context, request) => request.Path.StartsWith("/bad", StringComparison.Ordinal)
            ? FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.LeakyError(upstream), 500)
            : request.Json["stream"]?.GetValue<bool>() == true
                ? FakeUpstream.WriteSseAsync(context, UpstreamAnswers.TextStream(CompletionCanary))
                : FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion(CompletionCanary));
        using var client = gateway.HttpClient();
        using var bogus = gateway.HttpClient(BogusKey);
        using var anonymous = gateway.HttpClient(key: null);
        var chat = $$"""{"model":"gpt-test","messages":[{"role":"user","content":"{{PromptCanary}}"}]}""";
        var ids = new Dictionary<string, HttpStatusCode>();
        async Task SendAsync(HttpClient http, string path, string body)
        {
            using var response = await http.PostAsync(path, Requests.Json(body), Ct);
            _ = await response.Content.ReadAsStringAsync(Ct);
            ids[response.Headers.GetValues("X-Request-Id").Single()] = response.StatusCode;
        }

        await SendAsync(client, "/v1/chat/completions", chat);
        await SendAsync(client, "/v1/chat/completions", chat.Replace("\"messages\"", "\"stream\":true,\"messages\"", StringComparison.Ordinal));
        await SendAsync(client, "/v1/chat/completions", chat.Replace("gpt-test", "broken", StringComparison.Ordinal));
        await SendAsync(client, "/v1/chat/completions", chat.Replace("gpt-test", PromptCanary, StringComparison.Ordinal));
        await SendAsync(bogus, "/v1/chat/completions", chat);
        await SendAsync(anonymous, $"/v1beta/models/gpt-test:generateContent?key={GatewayInstance.UserKey}",
            $$"""{"contents":[{"role":"user","parts":[{"text":"{{PromptCanary}}"}]}]}""");
        await logs.WaitForAsync(l => l.EventId.Id is EventIds.RequestCompleted or EventIds.RequestFailed or EventIds.RequestRefused, ids.Count, Ct);
        using var scrape = await anonymous.GetAsync("/metrics", Ct);
        var metrics = await scrape.Content.ReadAsStringAsync(Ct);

        var captured = logs.Logs;
        string[] secrets = [PromptCanary, CompletionCanary, GatewayInstance.UserKey, GatewayInstance.UpstreamKey, GatewayInstance.MasterKey, BogusKey];
        Assert.All(captured, log => Assert.All(secrets, secret => Assert.DoesNotContain(secret, log.AllText, StringComparison.Ordinal)));
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, metrics, StringComparison.Ordinal));
        Exposition.Parse(metrics);

        var outcomes = captured.Where(l => l.EventId.Id is EventIds.RequestCompleted or EventIds.RequestFailed or EventIds.RequestRefused).ToList();
        Assert.All(outcomes, l => Assert.Equal("Switchyard.Requests", l.Category));
        Assert.Equal(ids.Keys.Order(), outcomes.Select(l => (string)l["RequestId"]!).Order());
        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadGateway, HttpStatusCode.NotFound, HttpStatusCode.Unauthorized, HttpStatusCode.OK],
            ids.Values);

        var served = outcomes.First(l => l.EventId.Id == EventIds.RequestCompleted);
        Assert.Equal(LogLevel.Information, served.Level);
        Assert.Equal("chat", served["Surface"]);
        Assert.Equal("gpt-test", served["Model"]);
        Assert.Equal("oai/gpt-upstream", served["Deployment"]);
        Assert.Equal(200, served["Status"]);
        Assert.Equal(1, served["Attempts"]);
        Assert.Equal(false, served["Stream"]);
        Assert.Equal(5L, served["InputTokens"]);
        Assert.Equal(3L, served["OutputTokens"]);
        Assert.StartsWith("cfg_", (string)served["KeyId"]!, StringComparison.Ordinal);
        Assert.IsType<double>(served["ElapsedMs"]);
        Assert.Contains(outcomes, l => l.EventId.Id == EventIds.RequestCompleted && (bool)l["Stream"]! && (string)l["Surface"]! == "chat");
        Assert.Contains(outcomes, l => l.EventId.Id == EventIds.RequestCompleted && (string)l["Surface"]! == "gemini");

        var failed = Assert.Single(outcomes, l => l.EventId.Id == EventIds.RequestFailed);
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Equal(502, failed["Status"]);
        Assert.Equal(3, failed["Attempts"]);
        Assert.Equal(3, captured.Count(l => l.EventId.Id == EventIds.AttemptFailed));
        var benched = Assert.Single(captured, l => l.EventId.Id == EventIds.DeploymentBenched);
        Assert.Equal("bad/broken-upstream", benched["Deployment"]);

        var refused = Assert.Single(outcomes, l => l.EventId.Id == EventIds.RequestRefused);
        Assert.Equal(401, refused["Status"]);
        Assert.Null(refused["KeyId"]);

        // The client's name for a model that does not exist is not logged: it is the client's text.
        var unknown = Assert.Single(outcomes, l => (int)l["Status"]! == 404);
        Assert.Equal("", unknown["Model"]);
        Assert.DoesNotContain(captured, l => l.EventId.Id == EventIds.RequestBodySensitive);
    }

    [Fact]
    public async Task A_stream_broken_after_it_started_is_logged_as_failed_and_leaves_no_active_stream()
    {
        // A gateway in another process writes its events' values as JSON, not as the typed values compared here.
        GatewayInstance.RequireInProcess("compares its log events' values by type");
        var logs = new CapturingLoggerProvider();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartAsync(config =>
        {
            config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "oai", ["type"] = "openai", ["baseUrl"] = upstream.BaseUrl + "/v1" });
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "gpt-test", ["provider"] = "oai", ["model"] = "gpt-upstream" });
        }, logs: logs, minimumLogLevel: LogLevel.Information);
        upstream.Enqueue(async (context, _) =>
        {
            await FakeUpstream.WriteSseAsync(context, UpstreamAnswers.TextStream("partial ").Take(2));
            await Task.Delay(300, context.RequestAborted);
            context.Abort();
        });
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/chat/completions",
            Requests.Json("""{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        await logs.WaitForAsync(l => l.EventId.Id == EventIds.RequestFailed, 1, Ct);
        var metrics = await SwitchyardMetricsTests.ScrapeAsync(gateway, requests: 1);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"error\"", text, StringComparison.Ordinal);
        var failed = Assert.Single(logs.Logs, l => l.EventId.Id == EventIds.RequestFailed);
        Assert.Equal(200, failed["Status"]);
        Assert.Equal("upstream_failed", failed["ErrorType"]);
        Assert.Equal(0, metrics.Sum("switchyard_streams_active"));
        Assert.Equal(1, metrics.Sum("gen_ai_server_time_to_first_token_seconds_count"));
        Assert.Equal(0, metrics.Sum("gen_ai_server_time_per_output_token_seconds_count"));
        Assert.Equal(1, metrics.Sum("switchyard_upstream_attempts_total", ("switchyard_outcome", "failure"), ("error_type", "upstream_failed")));
    }

    [Fact]
    public async Task Logs_request_bodies_only_at_trace_when_sensitive_logging_is_on()
    {
        var logs = new CapturingLoggerProvider();
        await using var gateway = await GatewayInstance.StartAsync(config =>
        {
            config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "echo", ["type"] = "echo" });
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "echo", ["provider"] = "echo" });
            config["observability"] = new JsonObject { ["logSensitiveData"] = true };
        }, logs: logs, minimumLogLevel: LogLevel.Trace);
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/chat/completions",
            Requests.Json($$"""{"model":"echo","messages":[{"role":"user","content":"{{PromptCanary}}"}]}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = Assert.Single(logs.Logs, l => l.EventId.Id == EventIds.RequestBodySensitive);
        Assert.Equal(LogLevel.Trace, body.Level);
        Assert.Contains(PromptCanary, (string)body["Body"]!, StringComparison.Ordinal);
    }
}
