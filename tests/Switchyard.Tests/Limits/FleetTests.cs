using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Limits;

/// <summary>
/// A fleet is one gateway (docs/configuration.md): two Switchyard instances on one PostgreSQL, hammered at
/// once by one key with small limits and credits, never admit more than the key's limits allow,
/// never spend credits it does not have, and leave exactly one ledger row per charged request.
/// </summary>
public sealed class FleetTests
{
    private const int Requests = 40;
    private const int PromptTokens = 100;
    private const int CompletionTokens = 200;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Limits => new()
    {
        { "rpm", """{"name":"fleet","rpm":7}""" },
        { "tpm", """{"name":"fleet","tpm":2000}""" },
        { "concurrency and credits", """{"name":"fleet","maxConcurrent":3,"credits":0.1}""" },
    };

    [Theory]
    [MemberData(nameof(Limits))]
    public async Task Two_gateways_on_one_database_share_every_limit_exactly(string binding, string key)
    {
        await using var storage = await TestStorage.CreateAsync(TestStorage.Postgres);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = async (context, _) =>
        {
            // Long enough that requests overlap, so concurrency and reservations are contended.
            await Task.Delay(30, context.RequestAborted);
            await FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok", PromptTokens, CompletionTokens));
        };
        var pricing = new JsonObject { ["inputPerMTok"] = 1, ["outputPerMTok"] = 1, ["minimumCharge"] = 0.01 };
        void Configure(JsonObject config)
        {
            storage.Apply(config);
            config["models"]![0]!["pricing"] = pricing.DeepClone();
        }

        await using var first = await GatewayInstance.StartWithOpenAIAsync(upstream, Configure);
        await using var second = await GatewayInstance.StartWithOpenAIAsync(upstream, Configure);
        var (id, secret, created) = await AdminApi.CreateKeyAsync(first, JsonNode.Parse(key)!.AsObject());
        using var clientA = first.HttpClient(secret);
        using var clientB = second.HttpClient(secret);
        var body = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"max_tokens":300}""";
        foreach (var (gateway, client) in new[] { (first, clientA), (second, clientB) })
        {
            // Warm both gateways (code paths, key cache, connection pools) without spending the key's budget.
            using var user = gateway.HttpClient();
            using var warm = await user.PostAsync("/v1/chat/completions", Infrastructure.Requests.Json(body), Cancel);
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
            using var account = await client.GetAsync("/v1/key", Cancel);
            Assert.Equal(HttpStatusCode.OK, account.StatusCode);
        }

        upstream.Requests.Clear();
        await KeyLimitsTests.AwayFromMinuteEdgeAsync(neededSeconds: 15);

        // Each client retries a 429, as SDKs do, so every limit gets contended in turn; behind a
        // concurrency limit it keeps trying until the credits run out, however slow this machine is.
        var tries = created["maxConcurrent"] is null ? 4 : 100;
        var attempts = new System.Collections.Concurrent.ConcurrentBag<(HttpStatusCode StatusCode, string Id, int Gateway)>();
        await Task.WhenAll(Enumerable.Range(0, Requests).Select(async i =>
        {
            for (var attempt = 0; attempt < tries; attempt++)
            {
                using var response = await (i % 2 == 0 ? clientA : clientB).PostAsync("/v1/chat/completions", Infrastructure.Requests.Json(body), Cancel);
                attempts.Add((response.StatusCode, response.Headers.GetValues("X-Request-Id").Single(), i % 2));
                if (response.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    return;
                }

                await Task.Delay(20, Cancel);
            }
        }));
        var responses = attempts.ToList();
        // A request's row is queued as it ends, just after its answer left: give the last ones a moment.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        JsonArray rowsA, rowsB;
        do
        {
            rowsA = await AdminApi.RequestsAsync(first, $"keyId={id}&limit=1000");
            rowsB = await AdminApi.RequestsAsync(second, $"keyId={id}&limit=1000");
        }
        while (rowsA.Concat(rowsB).Select(r => (string)r!["id"]!).Distinct().Count() < attempts.Count && DateTime.UtcNow < deadline);

        var spent = await storage.Database!.ScalarAsync<decimal>($"SELECT COALESCE(SUM(cost), 0) FROM requests WHERE key_id = '{id}'");
        var stateSpent = await storage.Database.ScalarAsync<decimal>($"SELECT COALESCE((SELECT spent FROM key_state WHERE key_id = '{id}'), 0)");
        // Each gateway hands its unused slices back once the key has been idle a moment.
        var (reserved, inFlight) = await IdleCountersAsync(storage.Database, id);
        var keyObject = await AdminApi.KeyAsync(second, id);

        var admitted = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        var refused = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
        Assert.All(refused, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.TooManyRequests, HttpStatusCode.PaymentRequired }));
        Assert.NotEmpty(refused);
        // Both gateways took requests; which of them spent the shared budget is up to timing.
        Assert.NotEmpty(admitted);
        Assert.Contains(responses, r => r.Gateway == 0);
        Assert.Contains(responses, r => r.Gateway == 1);
        Assert.Equal(admitted.Count, upstream.Requests.Count);

        // Every limit holds across both gateways (all requests fall in one minute window).
        if ((int?)created["rpm"] is { } rpm)
        {
            Assert.Equal(rpm, admitted.Count);
        }

        if ((int?)created["tpm"] is { } tpm)
        {
            Assert.True(admitted.Count * (PromptTokens + CompletionTokens) <= tpm, $"{admitted.Count} requests admitted under tpm {tpm}");
            Assert.True(admitted.Count >= 5, $"only {admitted.Count} admitted");
        }

        if ((int?)created["maxConcurrent"] is { } maxConcurrent)
        {
            Assert.InRange(upstream.MaxInFlight, 1, maxConcurrent);
        }

        // Charges: the ledger's sum is what the key spent, and never more than its credits.
        var perRequest = Math.Max(0.01m, (PromptTokens + CompletionTokens) / 1_000_000m);
        Assert.Equal(admitted.Count * perRequest, spent);
        Assert.Equal(spent, stateSpent);
        Assert.Equal(0m, reserved);
        Assert.Equal(0, inFlight);
        if ((decimal?)created["credits"]?["granted"] is { } credits)
        {
            Assert.True(spent <= credits, $"spent {spent} of {credits}");
            Assert.Equal(spent, (decimal?)keyObject["credits"]!["spent"]);
            Assert.Contains(refused, r => r.StatusCode == HttpStatusCode.PaymentRequired);
        }

        // One row per request, on whichever gateway served it, and one per charged request exactly.
        var rows = rowsA.Concat(rowsB).Select(r => r!).DistinctBy(r => (string)r["id"]!).ToList();
        var logged = rows.Select(r => (string)r["id"]!).ToHashSet();
        Assert.Empty(responses.Where(r => !logged.Contains(r.Id)).Select(r => $"{r.Id} {(int)r.StatusCode} on gateway {r.Gateway}"));
        Assert.Equal(responses.Count, rows.Count);
        var charged = rows.Where(r => (decimal)r["cost"]! > 0).ToList();
        Assert.Equal(admitted.Select(r => r.Id).Order(), charged.Select(r => (string)r["id"]!).Order());
        Assert.All(charged, r => Assert.Equal(200, (int)r["status"]!));
        _ = binding;
    }

    [Fact]
    public async Task A_limit_change_and_a_revocation_made_on_one_gateway_bind_the_other_within_five_seconds()
    {
        await using var storage = await TestStorage.CreateAsync(TestStorage.Postgres);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok"));
        await using var first = await GatewayInstance.StartWithOpenAIAsync(upstream, storage.Apply);
        await using var second = await GatewayInstance.StartWithOpenAIAsync(upstream, storage.Apply);
        var (id, secret, _) = await AdminApi.CreateKeyAsync(first, new JsonObject { ["name"] = "changing", ["rpm"] = 1000 });
        using var client = second.HttpClient(secret);
        using var admin = first.AdminClient();
        var body = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}""";
        await KeyLimitsTests.AwayFromMinuteEdgeAsync(neededSeconds: 14);

        // The second gateway has the key cached and a slice of its generous limit in hand.
        for (var i = 0; i < 3; i++)
        {
            using var warm = await client.PostAsync("/v1/chat/completions", Infrastructure.Requests.Json(body), Cancel);
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        using var lowered = await admin.PatchAsync("/admin/keys/" + id, Infrastructure.Requests.Json("""{"rpm":4}"""), Cancel);
        Assert.Equal(HttpStatusCode.OK, lowered.StatusCode);
        var limited = await UntilAsync(client, body, HttpStatusCode.TooManyRequests);
        var servedWhenLimited = upstream.Requests.Count;

        using var revoke = await admin.DeleteAsync("/admin/keys/" + id, Cancel);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var revoked = await UntilAsync(client, body, HttpStatusCode.Unauthorized);

        Assert.True(limited < TimeSpan.FromSeconds(5), $"the lowered rpm bound after {limited}");
        Assert.True(revoked < TimeSpan.FromSeconds(5), $"the revocation bound after {revoked}");
        // Until its cached key is refreshed the second gateway serves under the old limit; after, nothing more.
        Assert.Equal(servedWhenLimited, upstream.Requests.Count);
    }

    /// <summary>
    /// How long until the gateway answers a request with this status (polling every 50 ms, up to
    /// 10 s): the time the first such request was sent, so its own latency on a busy machine is not counted.
    /// </summary>
    private static async Task<TimeSpan> UntilAsync(HttpClient client, string body, HttpStatusCode status)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (started.Elapsed < TimeSpan.FromSeconds(10))
        {
            var sent = started.Elapsed;
            using var response = await client.PostAsync("/v1/chat/completions", Infrastructure.Requests.Json(body), Cancel);
            if (response.StatusCode == status)
            {
                return sent;
            }

            await Task.Delay(50, Cancel);
        }

        return started.Elapsed;
    }

    /// <summary>The key's reserved credits and slots in flight once both are back to zero, or as they stand after 20 s.</summary>
    internal static async Task<(decimal Reserved, int InFlight)> IdleCountersAsync(TestPostgres database, string keyId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var reserved = await database.ScalarAsync<decimal>($"SELECT COALESCE((SELECT reserved FROM key_state WHERE key_id = '{keyId}'), 0)");
            var inFlight = await database.ScalarAsync<int>($"SELECT COALESCE((SELECT in_flight FROM key_state WHERE key_id = '{keyId}'), 0)");
            if ((reserved == 0 && inFlight == 0) || DateTime.UtcNow > deadline)
            {
                return (reserved, inFlight);
            }

            await Task.Delay(100, Cancel);
        }
    }
}
