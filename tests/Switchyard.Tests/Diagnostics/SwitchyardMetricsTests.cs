using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Diagnostics;

/// <summary>Each scenario moves the series an operator watches; /metrics is parsed strictly every time.</summary>
public sealed class SwitchyardMetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string ChatBody = """{"model":"m","messages":[{"role":"user","content":"hi"}]}""";

    /// <summary>Model "m" on one OpenAI-compatible deployment "p0/d0", with fast backoff and bench.</summary>
    private static Task<GatewayInstance> StartAsync(FakeUpstream upstream, int retries = 1, Action<JsonObject>? configure = null) =>
        GatewayInstance.StartAsync(config =>
        {
            config["providers"]!.AsArray().Add(new JsonObject
            {
                ["name"] = "p0",
                ["type"] = "openai",
                ["baseUrl"] = upstream.BaseUrl + "/v1",
                ["retries"] = retries,
                ["timeoutSeconds"] = 5,
            });
            config["models"]!.AsArray().Add(new JsonObject
            {
                ["id"] = "m",
                ["provider"] = "p0",
                ["model"] = "d0",
                ["pricing"] = new JsonObject { ["inputPerMTok"] = 1000, ["outputPerMTok"] = 2000 },
            });
            config["routing"] = new JsonObject { ["backoffMilliseconds"] = 5, ["benchSeconds"] = 30, ["benchAfterFailures"] = 3 };
            configure?.Invoke(config);
        });

    /// <summary>
    /// Scrapes once <paramref name="requests"/> requests have been recorded: a request's metrics are
    /// recorded just after its last byte is written, so a client can read the answer a moment sooner.
    /// </summary>
    public static async Task<Exposition> ScrapeAsync(GatewayInstance gateway, int requests = 0)
    {
        using var client = gateway.HttpClient(key: null);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            using var response = await client.GetAsync("/metrics", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
            var exposition = Exposition.Parse(await response.Content.ReadAsStringAsync(Ct));
            if (exposition.Sum("switchyard_request_duration_seconds_count") >= requests || DateTime.UtcNow > deadline)
            {
                return exposition;
            }

            await Task.Delay(20, Ct);
        }
    }

    private static void Fail(FakeUpstream upstream, int status, string? retryAfter = null) =>
        upstream.EnqueueJson("""{"error":{"message":"upstream trouble","type":"server_error"}}""", status,
            retryAfter is null ? null : new Dictionary<string, string> { ["Retry-After"] = retryAfter });

    [Fact]
    public async Task A_served_request_moves_duration_attempts_tokens_and_credits()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("fine", promptTokens: 5, completionTokens: 3));
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);
        var metrics = await ScrapeAsync(gateway, requests: 1);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        (string, string)[] request = [("switchyard_surface", "chat"), ("gen_ai_request_model", "m"), ("switchyard_deployment", "p0/d0"), ("http_response_status_code", "200")];
        Assert.Equal(1, metrics.Sum("switchyard_request_duration_seconds_count", request));
        Assert.True(metrics.Sum("switchyard_request_duration_seconds_sum", request) > 0);
        Assert.Equal(1, metrics.Sum("switchyard_upstream_attempts_total", ("switchyard_deployment", "p0/d0"), ("switchyard_outcome", "success")));
        Assert.Equal(0, metrics.Sum("switchyard_upstream_retries_total"));
        (string, string)[] operation = [("gen_ai_operation_name", "chat"), ("gen_ai_request_model", "m"), ("gen_ai_provider_name", "openai"), ("switchyard_deployment", "p0/d0")];
        Assert.Equal(1, metrics.Sum("gen_ai_client_operation_duration_seconds_count", operation));
        Assert.Equal(5, metrics.Sum("gen_ai_client_token_usage_sum", [.. operation, ("gen_ai_token_type", "input")]));
        Assert.Equal(3, metrics.Sum("gen_ai_client_token_usage_sum", [.. operation, ("gen_ai_token_type", "output")]));
        Assert.Equal(5, metrics.Sum("switchyard_tokens_total", ("gen_ai_request_model", "m"), ("switchyard_token_bucket", "input")));
        Assert.Equal(3, metrics.Sum("switchyard_tokens_total", ("gen_ai_request_model", "m"), ("switchyard_token_bucket", "output")));
        Assert.Equal(0.011, metrics.Sum("switchyard_credits_charged_total", ("gen_ai_request_model", "m")), 9);
        Assert.Equal(0, metrics.Sum("switchyard_refusals_total"));
    }

    [Fact]
    public async Task Refusals_are_counted_by_surface_status_and_origin()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, configure: config => GatewayInstance.AddRestrictedKey(config, "m"));
        Fail(upstream, 429, "0");
        Fail(upstream, 429, "1");
        using var client = gateway.HttpClient();
        using var anonymous = gateway.HttpClient(key: "sk-not-a-key-at-all");

        using var rateLimited = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);
        using var unauthenticated = await anonymous.PostAsync("/v1/messages", Requests.Json("""{"model":"m","max_tokens":5,"messages":[]}"""), Ct);
        var metrics = await ScrapeAsync(gateway, requests: 2);

        Assert.Equal(HttpStatusCode.TooManyRequests, rateLimited.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Equal(1, metrics.Sum("switchyard_refusals_total", ("switchyard_surface", "chat"), ("http_response_status_code", "429"), ("switchyard_refusal_origin", "upstream")));
        Assert.Equal(1, metrics.Sum("switchyard_refusals_total", ("switchyard_surface", "messages"), ("http_response_status_code", "401"), ("switchyard_refusal_origin", "gateway")));
        Assert.Equal(1, metrics.Sum("switchyard_request_duration_seconds_count", ("switchyard_surface", "chat"), ("http_response_status_code", "429")));
        Assert.Equal(2, metrics.Sum("switchyard_upstream_attempts_total", ("switchyard_outcome", "failure"), ("error_type", "rate_limited")));
        Assert.Equal(1, metrics.Sum("switchyard_upstream_retries_total", ("gen_ai_request_model", "m")));
    }

    [Fact]
    public async Task A_retry_counts_a_failed_attempt_a_retry_and_one_request()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        Fail(upstream, 503);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("second time lucky"));
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);
        var metrics = await ScrapeAsync(gateway, requests: 1);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, metrics.Sum("switchyard_upstream_retries_total", ("gen_ai_request_model", "m"), ("switchyard_deployment", "p0/d0")));
        Assert.Equal(1, metrics.Sum("switchyard_upstream_attempts_total", ("switchyard_outcome", "failure"), ("error_type", "upstream_failed")));
        Assert.Equal(1, metrics.Sum("switchyard_upstream_attempts_total", ("switchyard_outcome", "success")));
        Assert.Equal(1, metrics.Sum("gen_ai_client_operation_duration_seconds_count", ("error_type", "upstream_failed")));
        Assert.Equal(1, metrics.Sum("switchyard_request_duration_seconds_count", ("http_response_status_code", "200")));
        Assert.Equal(1, metrics.Sum("switchyard_request_duration_seconds_count"));
    }

    [Fact]
    public async Task A_bench_is_counted_shown_as_benched_and_its_503_recorded()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, retries: 0);
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, """{"error":{"message":"down"}}""", 500);
        using var client = gateway.HttpClient();
        for (var i = 0; i < 3; i++)
        {
            using var failing = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);
            Assert.Equal(HttpStatusCode.BadGateway, failing.StatusCode);
        }

        using var benched = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);

        // All four counted means all four rows queued (a row is queued before its request is
        // counted); the request list flushes the queue, so the next scrape sees it empty.
        var metrics = await ScrapeAsync(gateway, requests: 4);
        await AdminApi.RequestsAsync(gateway, "limit=10");
        var flushed = await ScrapeAsync(gateway, requests: 4);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, benched.StatusCode);
        Assert.Equal(1, metrics.Sum("switchyard_deployment_benches_total", ("switchyard_deployment", "p0/d0")));
        Assert.Equal(1, metrics.Sum("switchyard_deployments_benched"));
        Assert.Equal(3, metrics.Sum("switchyard_request_duration_seconds_count", ("http_response_status_code", "502")));
        Assert.Equal(1, metrics.Sum("switchyard_request_duration_seconds_count", ("http_response_status_code", "503"), ("gen_ai_request_model", "m")));
        Assert.Equal(3, metrics.Sum("switchyard_upstream_attempts_total", ("switchyard_outcome", "failure")));

        // Every request's row was written before the scrape: nothing waits in the request log.
        Assert.Equal(0, Assert.Single(flushed.Find("switchyard_request_log_backlog")).Value);
    }

    [Fact]
    public async Task A_stream_is_active_while_it_flows_then_records_time_to_first_token_and_per_token()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        var release = new TaskCompletionSource();
        upstream.Enqueue(async (context, _) =>
        {
            var frames = UpstreamAnswers.TextStream("one ", "two ", "three");
            await FakeUpstream.WriteSseAsync(context, frames.Take(2));
            await release.Task.WaitAsync(context.RequestAborted);
            await FakeUpstream.WriteFramesAsync(context, frames.Skip(2));
        });
        using var client = gateway.HttpClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Requests.Json("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"""),
        }, HttpCompletionOption.ResponseHeadersRead, Ct);
        await using var body = await response.Content.ReadAsStreamAsync(Ct);
        var first = new byte[16];
        _ = await body.ReadAsync(first, Ct);
        var during = await ScrapeAsync(gateway);
        release.SetResult();
        var text = await new StreamReader(body).ReadToEndAsync(Ct);
        var after = await ScrapeAsync(gateway, requests: 1);

        Assert.Contains("[DONE]", text, StringComparison.Ordinal);
        Assert.Equal(1, during.Sum("switchyard_streams_active", ("switchyard_surface", "chat"), ("gen_ai_request_model", "m")));
        Assert.Equal(0, after.Sum("switchyard_streams_active", ("switchyard_surface", "chat"), ("gen_ai_request_model", "m")));
        (string, string)[] server = [("gen_ai_operation_name", "chat"), ("gen_ai_request_model", "m"), ("gen_ai_provider_name", "openai"), ("switchyard_deployment", "p0/d0")];
        Assert.Equal(1, after.Sum("gen_ai_server_time_to_first_token_seconds_count", server));
        Assert.Equal(1, after.Sum("gen_ai_server_time_per_output_token_seconds_count", server));
        Assert.Equal(3, after.Sum("gen_ai_client_token_usage_sum", [.. server, ("gen_ai_token_type", "output")]));
        Assert.Equal(1, after.Sum("switchyard_request_duration_seconds_count", ("http_response_status_code", "200")));
    }

    [Fact]
    public async Task Queue_waits_are_recorded_per_provider()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, retries: 0, configure: config => config["providers"]![0]!["maxConcurrency"] = 1);
        upstream.Default = async (context, _) =>
        {
            await Task.Delay(200, context.RequestAborted);
            await FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("slow"));
        };
        using var client = gateway.HttpClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(async _ =>
        {
            using var response = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);
            return response.StatusCode;
        }));
        var metrics = await ScrapeAsync(gateway, requests: 3);

        Assert.All(responses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(3, metrics.Sum("switchyard_queue_wait_seconds_count", ("switchyard_provider", "p0"), ("switchyard_outcome", "admitted")));
        Assert.True(metrics.Sum("switchyard_queue_wait_seconds_sum", ("switchyard_provider", "p0")) >= 0.2, "two requests waited for the first");
        Assert.Equal(0, metrics.Sum("switchyard_queue_length", ("switchyard_provider", "p0")));
        Assert.Single(metrics.Find("switchyard_queue_length", ("switchyard_provider", "p0")));
    }
}
