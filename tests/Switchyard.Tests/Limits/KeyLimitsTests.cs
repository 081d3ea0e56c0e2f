using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Switchyard.Metering;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Limits;

/// <summary>Rate limits and credits of one key (docs/behaviour.md), end to end on SQLite and PostgreSQL.</summary>
public sealed class KeyLimitsTests
{
    private const string Chat = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}""";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static Task<GatewayInstance> StartAsync(FakeUpstream upstream, TestStorage storage, JsonObject? pricing = null) =>
        GatewayInstance.StartWithOpenAIAsync(upstream, config =>
        {
            storage.Apply(config);
            if (pricing is not null)
            {
                config["models"]![0]!["pricing"] = pricing;
            }
        });

    /// <summary>Windows are whole minutes: a test that needs one window waits out the last seconds of a minute.</summary>
    internal static async Task AwayFromMinuteEdgeAsync(int neededSeconds = 8)
    {
        var now = DateTimeOffset.UtcNow;
        if (now.Second + neededSeconds >= 60)
        {
            await Task.Delay(TimeSpan.FromSeconds(60 - now.Second) - TimeSpan.FromMilliseconds(now.Millisecond) + TimeSpan.FromMilliseconds(200), Cancel);
        }
    }

    /// <summary>The gateway's own time for a request, from its <c>Server-Timing</c> header (<c>gateway;dur=…</c>).</summary>
    private static double GatewayMilliseconds(HttpResponseMessage response)
    {
        var timing = Header(response, "Server-Timing");
        var match = System.Text.RegularExpressions.Regex.Match(timing, @"gateway;dur=([0-9.]+)");
        Assert.True(match.Success, timing);
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : throw new Xunit.Sdk.XunitException($"No {name} header.");

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task Requests_over_rpm_get_429_with_retry_after_until_the_window_ends(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok"));
        await using var gateway = await StartAsync(upstream, storage);
        var (_, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "rpm", ["rpm"] = 2 });
        using var client = gateway.HttpClient(secret);
        using var unlimited = gateway.HttpClient();
        await AwayFromMinuteEdgeAsync();

        using var first = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        using var second = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        // The seconds left in the minute when the third request left and when its answer came back.
        var untilMinuteBefore = 60 - DateTimeOffset.UtcNow.Second;
        using var third = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        var untilMinuteAfter = 60 - DateTimeOffset.UtcNow.Second;
        using var free = await unlimited.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("2", Header(first, "x-ratelimit-limit-requests"));
        Assert.Equal("1", Header(first, "x-ratelimit-remaining-requests"));
        Assert.Equal("0", Header(second, "x-ratelimit-remaining-requests"));
        Assert.False(first.Headers.Contains("x-ratelimit-limit-tokens"));
        var error = await OpenAIErrorAssert.ReadAsync(third, HttpStatusCode.TooManyRequests, "rate_limit_error", "rate_limit_exceeded");
        Assert.Contains("requests per minute", (string?)error["message"], StringComparison.Ordinal);
        var retryAfter = int.Parse(Header(third, "Retry-After"), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, Math.Max(1, untilMinuteAfter - 2), untilMinuteBefore + 1);
        Assert.Equal("2", Header(third, "x-ratelimit-limit-requests"));
        Assert.Equal("0", Header(third, "x-ratelimit-remaining-requests"));
        Assert.Equal(Switchyard.Limits.RateLimitHeaders.Duration(TimeSpan.FromSeconds(retryAfter)), Header(third, "x-ratelimit-reset-requests"));
        Assert.Equal(3, upstream.Requests.Count);
        Assert.Equal(HttpStatusCode.OK, free.StatusCode);
        Assert.False(free.Headers.Contains("x-ratelimit-limit-requests"));
    }

    [Fact]
    public async Task A_stream_and_an_answer_refused_after_admission_carry_the_headers_of_every_part_admitted()
    {
        await using var storage = await TestStorage.CreateAsync(TestStorage.Sqlite);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = (context, _) => FakeUpstream.WriteSseAsync(context, [.. UpstreamAnswers.TextStream("a", "b"), "[DONE]"]);
        await using var gateway = await StartAsync(upstream, storage);
        var (_, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "both", ["rpm"] = 50, ["tpm"] = 100_000 });
        using var client = gateway.HttpClient(secret);
        var body = """{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}],"max_tokens":100}""";
        var reserved = TokenEstimator.EstimateInput(System.Text.Encoding.UTF8.GetBytes(body), TokenEstimator.Counting.Bytes) + 100;
        await AwayFromMinuteEdgeAsync();

        using var stream = await client.PostAsync("/v1/chat/completions", Requests.Json(body), Cancel);
        var events = await stream.Content.ReadAsStringAsync(Cancel);

        // Malformed after its request part was admitted: the 400 shows that part's count.
        using var malformed = await client.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","messages":["""), Cancel);

        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Contains("data: [DONE]", events, StringComparison.Ordinal);
        Assert.Equal("50", Header(stream, "x-ratelimit-limit-requests"));
        Assert.Equal("49", Header(stream, "x-ratelimit-remaining-requests"));
        Assert.Equal("100000", Header(stream, "x-ratelimit-limit-tokens"));
        Assert.Equal((100_000 - reserved).ToString(CultureInfo.InvariantCulture), Header(stream, "x-ratelimit-remaining-tokens"));
        // 1 s to a whole minute, in OpenAI's format: "17s", and "1m0s" for the minute.
        Assert.Matches("^(?:[1-9]|[1-5][0-9])s$|^1m0s$", Header(stream, "x-ratelimit-reset-tokens"));
        await OpenAIErrorAssert.ReadAsync(malformed, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Equal("48", Header(malformed, "x-ratelimit-remaining-requests"));
        Assert.Equal("100000", Header(malformed, "x-ratelimit-limit-tokens"));
        Assert.Single(upstream.Requests);
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task Requests_over_tpm_get_429_after_the_window_holds_their_worst_case(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok", promptTokens: 300, completionTokens: 400));
        await using var gateway = await StartAsync(upstream, storage);
        var (id, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "tpm", ["tpm"] = 1000 });
        using var client = gateway.HttpClient(secret);
        var body = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"max_tokens":500}""";
        var reserved = TokenEstimator.EstimateInput(System.Text.Encoding.UTF8.GetBytes(body), TokenEstimator.Counting.Bytes) + 500;
        await AwayFromMinuteEdgeAsync();

        using var first = await client.PostAsync("/v1/chat/completions", Requests.Json(body), Cancel);

        // The first request settles just after its answer has gone out (its row in the request log
        // is written after that): the next request's budget part does not wait for it.
        await AdminApi.SingleRequestAsync(gateway, id);
        using var second = await client.PostAsync("/v1/chat/completions", Requests.Json(body), Cancel);
        using var tooLarge = await client.PostAsync("/v1/chat/completions", Requests.Json(body.Replace("500", "5000", StringComparison.Ordinal)), Cancel);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("1000", Header(first, "x-ratelimit-limit-tokens"));
        Assert.Equal((1000 - reserved).ToString(CultureInfo.InvariantCulture), Header(first, "x-ratelimit-remaining-tokens"));
        var error = await OpenAIErrorAssert.ReadAsync(second, HttpStatusCode.TooManyRequests, "rate_limit_error", "rate_limit_exceeded");
        Assert.Contains("tokens per minute", (string?)error["message"], StringComparison.Ordinal);

        // The first request settled to its real 700 tokens, leaving 300: too few for the next worst case.
        Assert.Equal("300", Header(second, "x-ratelimit-remaining-tokens"));
        Assert.InRange(int.Parse(Header(second, "Retry-After"), CultureInfo.InvariantCulture), 1, 60);
        var large = await OpenAIErrorAssert.ReadAsync(tooLarge, HttpStatusCode.TooManyRequests, "rate_limit_error", "rate_limit_exceeded");
        Assert.Contains("max_tokens", (string?)large["message"], StringComparison.Ordinal);
        Assert.Single(upstream.Requests);
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task A_request_over_max_concurrent_is_refused_at_once_and_the_slot_returns(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        upstream.Enqueue(async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync(UpstreamAnswers.Chunk("""{"role":"assistant","content":"wait"}""") + "\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await release.Task.WaitAsync(context.RequestAborted);
            foreach (var frame in UpstreamAnswers.TextStream("done").Skip(1))
            {
                await context.Response.WriteAsync(frame + "\n\n", context.RequestAborted);
            }
        });
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok"));
        await using var gateway = await StartAsync(upstream, storage);
        var (keyId, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "one-at-a-time", ["maxConcurrent"] = 1 });
        using var client = gateway.HttpClient(secret);
        var stream = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"stream":true}""";

        using var holding = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Requests.Json(stream) },
            HttpCompletionOption.ResponseHeadersRead, Cancel);
        using var refused = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        release.SetResult();
        var relayed = await holding.Content.ReadAsStringAsync(Cancel);
        // A stream's slot comes back when the gateway settles it, a moment after its last frame
        // reached the client; its request-log row is written after that.
        var settled = await AdminApi.RequestsAsync(gateway, $"keyId={keyId}&status=200", atLeast: 1);
        using var after = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);

        Assert.Equal(HttpStatusCode.OK, holding.StatusCode);
        var error = await OpenAIErrorAssert.ReadAsync(refused, HttpStatusCode.TooManyRequests, "rate_limit_error", "rate_limit_exceeded");
        Assert.Contains("in flight", (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal("1", Header(refused, "Retry-After"));
        // At once: the gateway's own time (Server-Timing), not a wait for the slot; the client's
        // clock would also count a new connection on a busy machine.
        var refusedAfter = GatewayMilliseconds(refused);
        Assert.True(refusedAfter < 1500, $"refused after {refusedAfter} ms");
        Assert.Contains("[DONE]", relayed, StringComparison.Ordinal);
        Assert.Single(settled);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task Exhausted_credits_get_402_and_the_minimum_charge_applies(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok", promptTokens: 10, completionTokens: 5));
        var pricing = new JsonObject { ["inputPerMTok"] = 1, ["outputPerMTok"] = 2, ["minimumCharge"] = 0.01 };
        await using var gateway = await StartAsync(upstream, storage, pricing);
        var (id, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "prepaid", ["credits"] = 0.015 });
        var client = gateway.OpenAIClient(secret).GetChatClient("gpt-test");
        using var http = gateway.HttpClient(secret);

        var first = await client.CompleteChatAsync([new OpenAI.Chat.UserChatMessage("hi")], cancellationToken: Cancel);
        using var second = await http.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        var key = await AdminApi.KeyAsync(gateway, id);
        var log = await AdminApi.RequestsAsync(gateway, $"keyId={id}");

        var cost = (decimal?)JsonNode.Parse(first.GetRawResponse().Content.ToString())!["usage"]!["cost"];
        Assert.Equal(0.01m, cost);
        var error = await OpenAIErrorAssert.ReadAsync(second, HttpStatusCode.PaymentRequired, "insufficient_quota", "insufficient_quota");
        Assert.Contains("credits", (string?)error["message"], StringComparison.Ordinal);
        Assert.False(second.Headers.Contains("Retry-After"));
        Assert.Equal(0.01m, (decimal?)key["credits"]!["spent"]);
        Assert.Equal(0.005m, (decimal?)key["credits"]!["remaining"]);
        Assert.Equal([402, 200], log.Select(r => (int)r!["status"]!).ToArray());
        Assert.Equal(0.01m, log.Sum(r => (decimal)r!["cost"]!));
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task Cached_tokens_are_billed_at_the_cached_price_and_not_twice()
    {
        await using var storage = await TestStorage.CreateAsync(TestStorage.Sqlite);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.EnqueueJson("""
            {"id":"chatcmpl-c","object":"chat.completion","created":1700000000,"model":"gpt-upstream","choices":[{"index":0,"message":{"role":"assistant","content":"cached"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":1000,"completion_tokens":100,"total_tokens":1100,"prompt_tokens_details":{"cached_tokens":800}}}
            """);
        var pricing = new JsonObject { ["inputPerMTok"] = 10, ["cachedInputPerMTok"] = 1, ["outputPerMTok"] = 20 };
        await using var gateway = await StartAsync(upstream, storage, pricing);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        var answer = (await response.Content.ReadFromJsonAsync<JsonObject>(Cancel))!;
        var row = Assert.Single(await AdminApi.RequestsAsync(gateway, "model=gpt-test"))!;

        // 200 uncached × 10 + 800 cached × 1 + 100 output × 20, per million.
        const decimal expected = (200 * 10 + 800 * 1 + 100 * 20) / 1_000_000m;
        Assert.Equal(expected, (decimal?)answer["usage"]!["cost"]);
        Assert.Equal(1000, (int?)answer["usage"]!["prompt_tokens"]);
        Assert.Equal(200, (int?)row["inputTokens"]);
        Assert.Equal(800, (int?)row["cachedInputTokens"]);
        Assert.Equal(100, (int?)row["outputTokens"]);
        Assert.Equal(expected, (decimal?)row["cost"]);
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task Account_route_reports_the_callers_limits_credits_and_usage(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok", promptTokens: 10, completionTokens: 5));
        var pricing = new JsonObject { ["inputPerMTok"] = 1_000, ["outputPerMTok"] = 2_000 };
        await using var gateway = await StartAsync(upstream, storage, pricing);
        var (id, secret, _) = await AdminApi.CreateKeyAsync(gateway, JsonNode.Parse("""{"name":"me","allowedModels":["gpt-test"],"rpm":100,"credits":10}""")!.AsObject());
        using var client = gateway.HttpClient(secret);
        using var unlimited = gateway.HttpClient();

        using var chat = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        var mine = await client.GetFromJsonAsync<JsonObject>("/v1/key", Cancel);
        var theirs = await unlimited.GetFromJsonAsync<JsonObject>("/v1/key", Cancel);

        const decimal cost = (10 * 1_000 + 5 * 2_000) / 1_000_000m;
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$$"""
            {"id":"{{{id}}}","name":"me","allowedModels":["gpt-test"],"limits":{"rpm":100,"tpm":null,"maxConcurrent":null},
             "credits":{"granted":10,"spent":{{{cost}}},"remaining":{{{10 - cost}}}},"team":null,
             "usage":{"requests":1,"inputTokens":10,"outputTokens":5,"cost":{{{cost}}},"since":"{{{mine!["usage"]!["since"]}}}"}}
            """), mine), mine.ToJsonString());
        Assert.Null(theirs!["credits"]);
        Assert.Null(theirs["allowedModels"]);
        Assert.Null(theirs["limits"]!["rpm"]);
        Assert.Equal(0, (int?)theirs["usage"]!["requests"]);
    }
}
