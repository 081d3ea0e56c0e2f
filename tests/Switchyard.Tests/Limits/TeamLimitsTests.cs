using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Switchyard.Metering;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Limits;

/// <summary>
/// A team's rpm, tpm, maxConcurrent and credits bind the sum of its keys' use (docs/admin-api.md),
/// end to end on one gateway, on SQLite (counted in memory) and on PostgreSQL (leased slices): two
/// keys with no limits of their own, in one team, together get what the team allows and no more.
/// </summary>
public sealed class TeamLimitsTests
{
    private const string Chat = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}""";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static Task<GatewayInstance> StartAsync(FakeUpstream upstream, TestStorage storage, JsonObject? pricing = null) =>
        GatewayInstance.StartWithOpenAIAsync(upstream, config =>
        {
            storage.Apply(config);
            GatewayInstance.AddAnthropic(config, upstream);
            if (pricing is not null)
            {
                config["models"]![0]!["pricing"] = pricing;
            }
        });

    /// <summary>A team with these limits and two keys in it, each with <paramref name="ownLimits"/> of its own (none by default).</summary>
    private static async Task<(string TeamId, HttpClient First, HttpClient Second, string FirstId)> TeamOfTwoAsync(GatewayInstance gateway, JsonObject limits,
        JsonObject? ownLimits = null)
    {
        limits["name"] = "research";
        var (teamId, _) = await AdminApi.CreateTeamAsync(gateway, limits);
        var first = (JsonObject?)ownLimits?.DeepClone() ?? [];
        first["name"] = "alice";
        first["team"] = teamId;
        var (firstId, firstSecret, _) = await AdminApi.CreateKeyAsync(gateway, first);
        var (_, secondSecret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "bob", ["team"] = teamId });
        return (teamId, gateway.HttpClient(firstSecret), gateway.HttpClient(secondSecret), firstId);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : throw new Xunit.Sdk.XunitException($"No {name} header.");

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task A_teams_rpm_binds_its_keys_together_and_its_refusal_counts_against_no_key(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok"));
        await using var gateway = await StartAsync(upstream, storage);
        var (teamId, alice, bob, _) = await TeamOfTwoAsync(gateway, new JsonObject { ["rpm"] = 3 }, new JsonObject { ["rpm"] = 2 });
        using var outsider = gateway.HttpClient();
        using var admin = gateway.AdminClient();
        await KeyLimitsTests.AwayFromMinuteEdgeAsync(neededSeconds: 15);

        using var first = await bob.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        using var second = await bob.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        using var third = await alice.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        using var refused = await alice.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        using var refusedAnthropic = await bob.PostAsync("/v1/messages",
            Requests.Json("""{"model":"claude-test","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"""), Cancel);
        using var free = await outsider.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        var servedWhileFull = upstream.Requests.Count;

        // The team's rpm goes up: alice has used one of her own two, so one more passes and then her own limit refuses.
        using var raised = await admin.PatchAsync("/admin/teams/" + teamId, Requests.Json("""{"rpm":100}"""), Cancel);
        using var aliceAgain = await alice.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        using var aliceOver = await alice.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], new[] { first.StatusCode, second.StatusCode, third.StatusCode });
        Assert.Equal("3", Header(first, "x-ratelimit-limit-requests"));
        Assert.Equal("2", Header(first, "x-ratelimit-remaining-requests"));
        Assert.Equal("1", Header(second, "x-ratelimit-remaining-requests"));
        Assert.Equal("0", Header(third, "x-ratelimit-remaining-requests"));
        var error = await OpenAIErrorAssert.ReadAsync(refused, HttpStatusCode.TooManyRequests, "rate_limit_error", "rate_limit_exceeded");
        Assert.Contains("this key's team: 3 requests per minute", (string?)error["message"], StringComparison.Ordinal);
        Assert.True(refused.Headers.Contains("Retry-After"));
        Assert.Equal("3", Header(refused, "x-ratelimit-limit-requests"));
        var anthropic = await AnthropicErrorAssert.ReadAsync(refusedAnthropic, HttpStatusCode.TooManyRequests, "rate_limit_error");
        Assert.Contains("team", (string?)anthropic["message"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, free.StatusCode);
        Assert.Equal(4, servedWhileFull);
        Assert.Equal(HttpStatusCode.OK, raised.StatusCode);
        Assert.Equal(HttpStatusCode.OK, aliceAgain.StatusCode);
        var own = await OpenAIErrorAssert.ReadAsync(aliceOver, HttpStatusCode.TooManyRequests, "rate_limit_error", "rate_limit_exceeded");
        Assert.Contains("this key: 2 requests per minute", (string?)own["message"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task A_teams_tpm_binds_the_tokens_of_its_keys_together(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok", promptTokens: 300, completionTokens: 400));
        await using var gateway = await StartAsync(upstream, storage);
        var (_, alice, bob, _) = await TeamOfTwoAsync(gateway, new JsonObject { ["tpm"] = 1500 });
        var body = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"max_tokens":500}""";
        var reserved = TokenEstimator.EstimateInput(System.Text.Encoding.UTF8.GetBytes(body), TokenEstimator.Counting.Bytes) + 500;
        await KeyLimitsTests.AwayFromMinuteEdgeAsync(neededSeconds: 15);

        // Each request reserves its input estimate and 500, then settles to the 700 it used.
        using var first = await alice.PostAsync("/v1/chat/completions", Requests.Json(body), Cancel);
        using var second = await bob.PostAsync("/v1/chat/completions", Requests.Json(body), Cancel);
        using var third = await alice.PostAsync("/v1/chat/completions", Requests.Json(body), Cancel);
        using var fourth = await bob.PostAsync("/v1/chat/completions", Requests.Json(body), Cancel);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("1500", Header(second, "x-ratelimit-limit-tokens"));
        var error = await OpenAIErrorAssert.ReadAsync(third, HttpStatusCode.TooManyRequests, "rate_limit_error", "rate_limit_exceeded");
        Assert.Contains("this key's team: 1500 tokens per minute", (string?)error["message"], StringComparison.Ordinal);
        // 100 left (1500 less two requests' 700); on PostgreSQL the second's excess over its
        // reservation may still be on its way back to the database, so at most that much more shows.
        Assert.InRange(int.Parse(Header(third, "x-ratelimit-remaining-tokens"), System.Globalization.CultureInfo.InvariantCulture), 100, 1500 - 700 - reserved);
        Assert.True(1500 - 700 - reserved < reserved, "the third request cannot fit");
        Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task A_teams_max_concurrent_binds_its_keys_requests_in_flight_together(string kind)
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
        var (_, alice, bob, _) = await TeamOfTwoAsync(gateway, new JsonObject { ["maxConcurrent"] = 1 });
        var stream = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"stream":true}""";

        using var holding = await alice.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Requests.Json(stream) },
            HttpCompletionOption.ResponseHeadersRead, Cancel);
        using var refused = await bob.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        release.SetResult();
        var relayed = await holding.Content.ReadAsStringAsync(Cancel);
        using var after = await bob.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);

        Assert.Equal(HttpStatusCode.OK, holding.StatusCode);
        var error = await OpenAIErrorAssert.ReadAsync(refused, HttpStatusCode.TooManyRequests, "rate_limit_error", "rate_limit_exceeded");
        Assert.Contains("in flight for this key's team: at most 1", (string?)error["message"], StringComparison.Ordinal);
        Assert.Contains("[DONE]", relayed, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task A_teams_credits_bind_its_keys_spending_together(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok", promptTokens: 10, completionTokens: 5));

        // Every request costs the minimum charge, 0.01, and reserves no more: 0.035 credits pay for three.
        var pricing = new JsonObject { ["inputPerMTok"] = 1, ["outputPerMTok"] = 2, ["minimumCharge"] = 0.01 };
        await using var gateway = await StartAsync(upstream, storage, pricing);
        var (teamId, alice, bob, aliceId) = await TeamOfTwoAsync(gateway, new JsonObject { ["credits"] = 0.035 });
        using var admin = gateway.AdminClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 6 && refused is null; i++)
        {
            var response = await (i % 2 == 0 ? alice : bob).PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                response.Dispose();
            }
            else
            {
                refused = response;
            }
        }

        var team = await AdminApi.TeamAsync(gateway, teamId);
        var aliceKey = await AdminApi.KeyAsync(gateway, aliceId);
        var charged = await AdminApi.RequestsAsync(gateway, $"teamId={teamId}");
        var usage = await AdminApi.UsageAsync(gateway, $"teamId={teamId}");
        using var toppedUp = await admin.PostAsync($"/admin/teams/{teamId}/credits", Requests.Json("""{"amount":0.01}"""), Cancel);
        using var afterTopUp = await alice.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.PaymentRequired], statuses);
        var error = await OpenAIErrorAssert.ReadAsync(refused!, HttpStatusCode.PaymentRequired, "insufficient_quota", "insufficient_quota");
        Assert.Contains("team's credits", (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal(0.03m, (decimal?)team["credits"]!["spent"]);
        Assert.Equal(0.005m, (decimal?)team["credits"]!["remaining"]);
        Assert.Equal(2, (int?)team["keys"]);
        Assert.Null(aliceKey["credits"]);
        Assert.Equal(teamId, (string?)aliceKey["team"]);
        Assert.Equal(4, charged.Count);
        Assert.All(charged, row => Assert.Equal(teamId, (string?)row!["teamId"]));
        Assert.Equal(0.03m, charged.Sum(r => (decimal)r!["cost"]!));
        Assert.Equal(0.03m, usage.Sum(r => (decimal)r!["cost"]!));
        Assert.Equal(2, usage.Select(r => (string?)r!["keyId"]).Distinct().Count());
        Assert.Equal(HttpStatusCode.OK, toppedUp.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterTopUp.StatusCode);
        Assert.Equal(4, upstream.Requests.Count);
        refused!.Dispose();
    }
}
