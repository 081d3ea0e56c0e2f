using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Limits;

/// <summary>
/// Team budgets on a fleet (issue #16): two gateways on one PostgreSQL, hammered at once through
/// two keys of one team, each key used on both gateways, never let the team's keys together pass
/// its rpm, its requests in flight or its credits, and leave exactly one ledger row per request,
/// each charged to the team.
/// </summary>
public sealed class TeamFleetTests
{
    private const int Requests = 40;
    private const int PromptTokens = 100;
    private const int CompletionTokens = 200;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Limits => new()
    {
        { "rpm", """{"name":"fleet-team","rpm":7}""" },
        { "concurrency and credits", """{"name":"fleet-team","maxConcurrent":3,"credits":0.1}""" },
    };

    [Theory]
    [MemberData(nameof(Limits))]
    public async Task Two_gateways_on_one_database_never_let_a_teams_keys_together_pass_its_limits(string binding, string team)
    {
        await using var storage = await TestStorage.CreateAsync(TestStorage.Postgres);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = async (context, _) =>
        {
            // Long enough that requests overlap, so slots and reservations are contended.
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
        var (teamId, created) = await AdminApi.CreateTeamAsync(first, JsonNode.Parse(team)!.AsObject());
        var (aliceId, alice, _) = await AdminApi.CreateKeyAsync(first, new JsonObject { ["name"] = "alice", ["team"] = teamId });
        var (bobId, bob, _) = await AdminApi.CreateKeyAsync(second, new JsonObject { ["name"] = "bob", ["team"] = teamId });
        var clients = new[] { first.HttpClient(alice), second.HttpClient(alice), first.HttpClient(bob), second.HttpClient(bob) };
        var body = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"max_tokens":300}""";
        foreach (var (gateway, client) in new[] { (first, clients[0]), (second, clients[1]), (first, clients[2]), (second, clients[3]) })
        {
            // Warm both gateways (code paths, key cache with its team, connection pools) without spending the team's budget.
            using var user = gateway.HttpClient();
            using var warm = await user.PostAsync("/v1/chat/completions", Infrastructure.Requests.Json(body), Cancel);
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
            using var account = await client.GetAsync("/v1/key", Cancel);
            Assert.Equal(HttpStatusCode.OK, account.StatusCode);
        }

        upstream.Requests.Clear();
        await KeyLimitsTests.AwayFromMinuteEdgeAsync(neededSeconds: 20);

        // Each client retries a 429, as SDKs do. Behind a concurrency limit it keeps trying until the
        // credits run out, however slow this machine is; under rpm a few tries each are plenty.
        var tries = created["maxConcurrent"] is null ? 6 : 400;
        var attempts = new ConcurrentBag<(HttpStatusCode StatusCode, string Id, int Client)>();
        await Task.WhenAll(Enumerable.Range(0, Requests).Select(async i =>
        {
            for (var attempt = 0; attempt < tries; attempt++)
            {
                using var response = await clients[i % 4].PostAsync("/v1/chat/completions", Infrastructure.Requests.Json(body), Cancel);
                attempts.Add((response.StatusCode, response.Headers.GetValues("X-Request-Id").Single(), i % 4));
                if (response.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    return;
                }

                await Task.Delay(20, Cancel);
            }
        }));
        var responses = attempts.ToList();

        // A request's row is queued as it ends, just after its answer left: give the last ones a moment.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        JsonArray rowsA, rowsB;
        do
        {
            rowsA = await AdminApi.RequestsAsync(first, $"teamId={teamId}&limit=1000");
            rowsB = await AdminApi.RequestsAsync(second, $"teamId={teamId}&limit=1000");
        }
        while (rowsA.Concat(rowsB).Select(r => (string)r!["id"]!).Distinct().Count() < responses.Count && DateTime.UtcNow < deadline);

        var spent = await storage.Database!.ScalarAsync<decimal>($"SELECT COALESCE(SUM(cost), 0) FROM requests WHERE team_id = '{teamId}'");
        var stateSpent = await storage.Database.ScalarAsync<decimal>($"SELECT COALESCE((SELECT spent FROM key_state WHERE key_id = '{teamId}'), 0)");
        var keysSpent = await storage.Database.ScalarAsync<decimal>($"SELECT COALESCE(SUM(spent), 0) FROM key_state WHERE key_id IN ('{aliceId}', '{bobId}')");

        // Each gateway hands its unused slices of the team (and of each key) back once they have been idle a moment.
        var (reserved, inFlight) = await FleetTests.IdleCountersAsync(storage.Database, teamId);
        var teamObject = await AdminApi.TeamAsync(second, teamId);

        var admitted = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        var refused = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
        Assert.All(refused, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.TooManyRequests, HttpStatusCode.PaymentRequired }));
        Assert.NotEmpty(refused);
        Assert.NotEmpty(admitted);

        // Both keys on both gateways took requests; which of them spent the team's budget is up to timing.
        Assert.Equal([0, 1, 2, 3], responses.Select(r => r.Client).Distinct().Order());
        Assert.Equal(admitted.Count, upstream.Requests.Count);

        // The team's limits hold across both gateways and both keys (all requests fall in one minute window).
        if ((int?)created["rpm"] is { } rpm)
        {
            Assert.Equal(rpm, admitted.Count);
        }

        if ((int?)created["maxConcurrent"] is { } maxConcurrent)
        {
            Assert.InRange(upstream.MaxInFlight, 1, maxConcurrent);
        }

        // Charges: the ledger's sum for the team is what the team spent, and the keys' spending adds up to it.
        var perRequest = Math.Max(0.01m, (PromptTokens + CompletionTokens) / 1_000_000m);
        Assert.Equal(admitted.Count * perRequest, spent);
        Assert.Equal(spent, stateSpent);
        Assert.Equal(spent, keysSpent);
        Assert.Equal(0m, reserved);
        Assert.Equal(0, inFlight);
        if ((decimal?)created["credits"]?["granted"] is { } credits)
        {
            Assert.True(spent <= credits, $"the team spent {spent} of {credits}");
            Assert.Equal(spent, (decimal?)teamObject["credits"]!["spent"]);
            Assert.Contains(refused, r => r.StatusCode == HttpStatusCode.PaymentRequired);
        }

        // One row per request, each charged to the team, and a cost on exactly the admitted ones.
        var rows = rowsA.Concat(rowsB).Select(r => r!).DistinctBy(r => (string)r["id"]!).ToList();
        var logged = rows.Select(r => (string)r["id"]!).ToHashSet();
        Assert.Empty(responses.Where(r => !logged.Contains(r.Id)).Select(r => $"{r.Id} {(int)r.StatusCode} from client {r.Client}"));
        Assert.Equal(responses.Count, rows.Count);
        Assert.All(rows, r => Assert.Equal(teamId, (string?)r["teamId"]));
        var charged = rows.Where(r => (decimal)r["cost"]! > 0).ToList();
        Assert.Equal(admitted.Select(r => r.Id).Order(), charged.Select(r => (string)r["id"]!).Order());
        foreach (var client in clients)
        {
            client.Dispose();
        }

        _ = binding;
    }
}
