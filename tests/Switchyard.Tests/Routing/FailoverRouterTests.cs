using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Routing;

public sealed class FailoverRouterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string ChatBody = """{"model":"m","messages":[{"role":"user","content":"hi"}]}""";

    /// <summary>
    /// A gateway whose model "m" has one deployment per upstream given (named d0, d1, …), with fast backoff and bench.
    /// The provider timeout stays generous unless a test is about timeouts: on a loaded machine a 1 s timeout
    /// can cut an attempt whose scripted answer then goes to the retry instead.
    /// </summary>
    private static Task<GatewayInstance> StartAsync(FakeUpstream[] upstreams, Action<JsonObject>? configure = null, int retries = 1, double[]? weights = null, double timeoutSeconds = 15) =>
        GatewayInstance.StartAsync(config =>
        {
            var deployments = new JsonArray();
            for (var i = 0; i < upstreams.Length; i++)
            {
                config["providers"]!.AsArray().Add(new JsonObject
                {
                    ["name"] = $"p{i}",
                    ["type"] = "openai",
                    ["baseUrl"] = upstreams[i].BaseUrl + "/v1",
                    ["retries"] = retries,
                    ["timeoutSeconds"] = timeoutSeconds,
                });
                deployments.Add(new JsonObject { ["provider"] = $"p{i}", ["model"] = $"d{i}", ["weight"] = weights?[i] ?? 1 });
            }

            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "m", ["deployments"] = deployments });
            config["routing"] = new JsonObject { ["backoffMilliseconds"] = 5, ["benchSeconds"] = 1, ["benchAfterFailures"] = 3 };
            configure?.Invoke(config);
        });

    private static void Fail(FakeUpstream upstream, int status, string? retryAfter = null) =>
        upstream.EnqueueJson("""{"error":{"message":"upstream trouble","type":"server_error"}}""", status,
            retryAfter is null ? null : new Dictionary<string, string> { ["Retry-After"] = retryAfter });

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(529)]
    public async Task Retries_a_retryable_status_on_the_only_deployment_and_succeeds(int status)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync([upstream]);
        Fail(upstream, status, status == 429 ? "0" : null);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("second time lucky"));
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("second time lucky", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(422)]
    public async Task Passes_on_a_client_error_without_retrying(int status)
    {
        await using var first = await FakeUpstream.StartAsync();
        await using var second = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync([first, second], retries: 2);
        first.Default = second.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, """{"error":{"message":"bad field 'x'","type":"invalid_request_error"}}""", status);
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains("bad field 'x'", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(1, first.Requests.Count + second.Requests.Count);
    }

    [Fact]
    public async Task Fails_over_to_the_other_deployment_and_then_the_fallbacks_in_order()
    {
        await using var a = await FakeUpstream.StartAsync();
        await using var b = await FakeUpstream.StartAsync();
        await using var c = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartAsync(config =>
        {
            foreach (var (name, upstream) in new[] { ("a", a), ("b", b), ("c", c) })
            {
                config["providers"]!.AsArray().Add(new JsonObject { ["name"] = name, ["type"] = "openai", ["baseUrl"] = upstream.BaseUrl + "/v1", ["retries"] = 0 });
            }

            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "m", ["provider"] = "a", ["fallbacks"] = new JsonArray("fb1", "fb2") });
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "fb1", ["provider"] = "b" });
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "fb2", ["provider"] = "c" });
            config["routing"] = new JsonObject { ["backoffMilliseconds"] = 1 };
        });
        Fail(a, 500);
        Fail(b, 503);
        c.EnqueueJson(UpstreamAnswers.ChatCompletion("from the last fallback"));
        var stopwatch = Stopwatch.StartNew();
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("m", (string?)body["model"]);
        Assert.Equal([1, 1, 1], new[] { a.Requests.Count, b.Requests.Count, c.Requests.Count });
        Assert.Equal("fb2", (string?)c.LastRequest.Json["model"]);
        Assert.Contains("deployment=c/fb2", response.Headers.GetValues("Server-Timing").Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Fails_over_when_an_upstream_answers_a_stream_with_one_json_body(string surface)
    {
        // An upstream that ignores "stream" must not reach the client as a JSON body inside an SSE
        // answer: it is a failed attempt, passthrough (OpenAI client) and translated (Anthropic client) alike.
        await using var ignoring = await FakeUpstream.StartAsync();
        await using var streaming = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartAsync(config =>
        {
            foreach (var (name, upstream) in new[] { ("a", ignoring), ("b", streaming) })
            {
                config["providers"]!.AsArray().Add(new JsonObject { ["name"] = name, ["type"] = "openai", ["baseUrl"] = upstream.BaseUrl + "/v1", ["retries"] = 0 });
            }

            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "m", ["provider"] = "a", ["fallbacks"] = new JsonArray("fb") });
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "fb", ["provider"] = "b" });
            config["routing"] = new JsonObject { ["backoffMilliseconds"] = 1 };
        });
        ignoring.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("not streamed"));
        streaming.Default = (context, _) => FakeUpstream.WriteSseAsync(context, UpstreamAnswers.TextStream("streamed"));
        using var client = gateway.HttpClient();

        using var response = surface == "openai"
            ? await client.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), Ct)
            : await client.PostAsync("/v1/messages", Requests.Json("""{"model":"m","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}"""), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("not streamed", text, StringComparison.Ordinal);
        Assert.DoesNotContain("error", text, StringComparison.Ordinal);
        Assert.Contains("stream", text, StringComparison.Ordinal);
        Assert.Single(ignoring.Requests);
        Assert.Single(streaming.Requests);
    }

    [Fact]
    public async Task Answers_exhausted_retries_with_the_last_failure_keeping_a_429_and_its_retry_after()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync([upstream], retries: 1);
        Fail(upstream, 429, "0");
        Fail(upstream, 429, "7");
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("7", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Fact]
    public async Task Benches_a_failing_deployment_routes_around_it_and_restores_it_after_a_probe()
    {
        await using var bad = await FakeUpstream.StartAsync();
        await using var good = await FakeUpstream.StartAsync();
        // A bench long enough for the ten requests below to fit in it on a loaded machine.
        await using var gateway = await StartAsync([bad, good], retries: 0, configure: config => config["routing"]!["benchSeconds"] = 5);
        bad.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, """{"error":{"message":"down"}}""", 500);
        good.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok"));
        using var client = gateway.HttpClient();

        // Three failures in a row bench the bad deployment; every request still succeeds through the good one.
        for (var i = 0; i < 30 && bad.Requests.Count < 3; i++)
        {
            using var warmup = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);
            Assert.Equal(HttpStatusCode.OK, warmup.StatusCode);
        }

        var benchedAt = DateTime.UtcNow;
        var badBefore = bad.Requests.Count;
        for (var i = 0; i < 10; i++)
        {
            using var benched = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);
            Assert.Equal(HttpStatusCode.OK, benched.StatusCode);
        }

        var badWhileBenched = bad.Requests.Count - badBefore;
        bad.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("recovered"));
        // Once the bench ends, a probe finds the deployment well and it serves again.
        var recovered = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (recovered == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Ct);
            using var after = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);
            recovered += (await after.Content.ReadAsStringAsync(Ct)).Contains("recovered", StringComparison.Ordinal) ? 1 : 0;
        }

        var recoveredAfter = DateTime.UtcNow - benchedAt;
        Assert.Equal(3, badBefore);
        Assert.Equal(0, badWhileBenched);
        Assert.True(recovered > 0, "the restored deployment serves again after its probe");
        // Restored once its 5 s bench is over, not after a second bench or a longer default one.
        Assert.True(recoveredAfter < TimeSpan.FromSeconds(12), $"restored after {recoveredAfter}");
    }

    [Fact]
    public async Task Answers_503_with_retry_after_at_once_when_every_deployment_is_benched()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync([upstream], retries: 0, configure: config => config["routing"]!["benchSeconds"] = 30);
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, """{"error":{"message":"down"}}""", 500);
        using var client = gateway.HttpClient();
        for (var i = 0; i < 3; i++)
        {
            using var failing = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);
            Assert.Equal(HttpStatusCode.BadGateway, failing.StatusCode);
        }

        var stopwatch = Stopwatch.StartNew();
        using var response = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        // At once: well inside the 30 s bench it would otherwise wait out.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"answered in {stopwatch.Elapsed}");
        var retryAfter = int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 20, 30);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal("overloaded", (string?)error["code"]);
        Assert.Equal(3, upstream.Requests.Count);
    }

    [Fact]
    public async Task Holds_a_provider_to_its_max_concurrency_and_refuses_the_overflow_without_hanging()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync([upstream], retries: 0, configure: config =>
        {
            config["providers"]![0]!["maxConcurrency"] = 2;
            config["routing"]!["maxQueue"] = 4;
            config["routing"]!["queueTimeoutSeconds"] = 0.5;
        });
        upstream.Default = async (context, _) =>
        {
            await Task.Delay(300);
            await FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("slow"));
        };
        using var client = gateway.HttpClient();
        var stopwatch = Stopwatch.StartNew();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var response = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);
            return (response.StatusCode, RetryAfter: response.Headers.RetryAfter);
        }));

        Assert.True(upstream.MaxInFlight <= 2, $"upstream saw {upstream.MaxInFlight} at once");
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable));
        Assert.All(responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable), r => Assert.NotNull(r.RetryAfter));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Fails_over_on_slow_headers_and_answers_504_when_every_deployment_is_slow()
    {
        await using var slow = await FakeUpstream.StartAsync();
        await using var fast = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync([slow, fast], retries: 0, timeoutSeconds: 1);
        slow.Default = async (context, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3), context.RequestAborted);
            await FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("too late"));
        };
        fast.Enqueue(slow.Default);
        fast.Enqueue(async (context, _) => await FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("fast")));
        using var client = gateway.HttpClient();

        // The first request meets two slow deployments (whichever order): 504 after both timed out.
        using var timedOut = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);
        using var servedAfterFailover = await client.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);

        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        Assert.Equal("upstream_timeout", (string?)JsonNode.Parse(await timedOut.Content.ReadAsStringAsync(Ct))!["error"]!["code"]);
        Assert.Equal(HttpStatusCode.OK, servedAfterFailover.StatusCode);
    }

    [Fact]
    public async Task Does_not_cut_a_long_steady_stream_that_outlives_the_idle_timeout()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        // 16 pieces 250 ms apart outlive the 3 s timeout; no gap between them comes near it.
        await using var gateway = await StartAsync([upstream], retries: 0, timeoutSeconds: 3);
        var pieces = Enumerable.Range(0, 16).Select(i => $"p{i} ").ToArray();
        upstream.EnqueueSse(UpstreamAnswers.TextStream(pieces), TimeSpan.FromMilliseconds(250));
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/chat/completions",
            Requests.Json("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("data: [DONE]", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"error\"", text, StringComparison.Ordinal);
        Assert.All(pieces, piece => Assert.Contains(piece.Trim(), text, StringComparison.Ordinal));
    }
}
