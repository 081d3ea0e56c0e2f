using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Surfaces;

/// <summary>The admin API of docs/admin-api.md on SQLite and on PostgreSQL.</summary>
public sealed class AdminSurfaceTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static Task<GatewayInstance> StartAsync(FakeUpstream upstream, TestStorage storage) =>
        GatewayInstance.StartWithOpenAIAsync(upstream, config =>
        {
            storage.Apply(config);
            config["models"]![0]!["pricing"] = new JsonObject { ["inputPerMTok"] = 1_000_000, ["outputPerMTok"] = 2_000_000 };
        });

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task Key_round_trip_shows_the_secret_once_and_never_again(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, storage);
        using var admin = gateway.AdminClient();

        var (id, secret, created) = await AdminApi.CreateKeyAsync(gateway, JsonNode.Parse("""
            {"name":"ci","allowedModels":["gpt-test"],"rpm":60,"tpm":100000,"maxConcurrent":4,"credits":25.5,"expiresAt":"2099-01-01T00:00:00Z"}
            """)!.AsObject());
        var fetched = await AdminApi.KeyAsync(gateway, id);
        var listed = await admin.GetStringAsync("/admin/keys", Cancel);
        using var patch = await admin.PatchAsync("/admin/keys/" + id, Requests.Json("""{"rpm":null,"tpm":5000,"name":"ci-2"}"""), Cancel);
        var patched = (await patch.Content.ReadFromJsonAsync<JsonObject>(Cancel))!;
        using var topUp = await admin.PostAsync($"/admin/keys/{id}/credits", Requests.Json("""{"amount":-0.5}"""), Cancel);
        var toppedUp = (await topUp.Content.ReadFromJsonAsync<JsonObject>(Cancel))!;
        using var revoke = await admin.DeleteAsync("/admin/keys/" + id, Cancel);
        var revoked = await AdminApi.KeyAsync(gateway, id);

        Assert.StartsWith("sk-sy-", secret, StringComparison.Ordinal);
        Assert.Equal(secret[..8], (string?)created["prefix"]);
        Assert.Equal("ci", (string?)created["name"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""["gpt-test"]"""), created["allowedModels"]));
        Assert.Equal(60, (int?)created["rpm"]);
        Assert.Equal(25.5m, (decimal?)created["credits"]!["granted"]);
        Assert.Equal(25.5m, (decimal?)created["credits"]!["remaining"]);
        Assert.Equal("2099-01-01T00:00:00.000Z", (string?)created["expiresAt"]);
        Assert.Null(fetched["key"]);
        Assert.Equal(id, (string?)fetched["id"]);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, fetched.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(id, listed, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Null(patched["rpm"]);
        Assert.Equal(5000, (int?)patched["tpm"]);
        Assert.Equal(4, (int?)patched["maxConcurrent"]);
        Assert.Equal("ci-2", (string?)patched["name"]);
        Assert.Equal(HttpStatusCode.OK, topUp.StatusCode);
        Assert.Equal(25m, (decimal?)toppedUp["credits"]!["granted"]);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.NotNull((string?)revoked["revokedAt"]);
        Assert.DoesNotContain(secret, revoked.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_routes_need_the_master_key_and_answer_problem_details()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var anonymous = gateway.HttpClient(key: null);
        using var unknown = gateway.HttpClient("sk-not-a-key");
        using var user = gateway.HttpClient();
        using var admin = gateway.AdminClient();

        using var missing = await anonymous.GetAsync("/admin/keys", Cancel);
        using var wrong = await unknown.GetAsync("/admin/keys", Cancel);
        using var forbidden = await user.PostAsync("/admin/keys", Requests.Json("""{"name":"x"}"""), Cancel);
        using var notFound = await admin.GetAsync("/admin/keys/key_nope", Cancel);
        using var invalid = await admin.PostAsync("/admin/keys", Requests.Json("""{"name":"x","rpm":-1}"""), Cancel);
        using var nameless = await admin.PostAsync("/admin/keys", Requests.Json("""{"rpm":5}"""), Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, nameless.StatusCode);
        foreach (var response in new[] { missing, wrong, forbidden, notFound, invalid, nameless })
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = (await response.Content.ReadFromJsonAsync<JsonObject>(Cancel))!;
            Assert.Equal((int)response.StatusCode, (int?)problem["status"]);
            Assert.False(string.IsNullOrEmpty((string?)problem["title"]));
            if (response == invalid)
            {
                Assert.Equal("rpm", (string?)problem["param"]);
            }
        }
    }

    /// <summary>A PATCH writes each field it names, to a value and back to null, and leaves the others as stored.</summary>
    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task A_patch_writes_every_field_it_names_and_no_other(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, storage);
        using var admin = gateway.AdminClient();
        var (teamId, _) = await AdminApi.CreateTeamAsync(gateway, new JsonObject { ["name"] = "patched-team", ["rpm"] = 10 });
        var (keyId, _, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "patched", ["rpm"] = 60, ["tpm"] = 1000 });

        async Task<JsonObject> PatchAsync(string path, string body)
        {
            using var response = await admin.PatchAsync(path, Requests.Json(body), Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonObject>(Cancel))!;
        }

        var set = await PatchAsync("/admin/keys/" + keyId, $$"""
            {"allowedModels":["gpt-test","gpt-other"],"maxConcurrent":9,"credits":7.25,"expiresAt":"2098-02-03T04:05:06Z","team":"{{teamId}}"}
            """);
        var key = await AdminApi.KeyAsync(gateway, keyId);
        var cleared = await PatchAsync("/admin/keys/" + keyId, """{"allowedModels":null,"maxConcurrent":null,"credits":null,"expiresAt":null,"team":null,"tpm":null}""");
        var teamSet = await PatchAsync("/admin/teams/" + teamId, """{"name":"renamed-team","tpm":5000,"maxConcurrent":3,"credits":12.5}""");
        var team = await AdminApi.TeamAsync(gateway, teamId);
        var teamCleared = await PatchAsync("/admin/teams/" + teamId, """{"rpm":null,"credits":null}""");

        foreach (var written in new[] { set, key })
        {
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""["gpt-other","gpt-test"]"""), written["allowedModels"]), written.ToJsonString());
            Assert.Equal(9, (int?)written["maxConcurrent"]);
            Assert.Equal(7.25m, (decimal?)written["credits"]!["granted"]);
            Assert.Equal("2098-02-03T04:05:06.000Z", (string?)written["expiresAt"]);
            Assert.Equal(teamId, (string?)written["team"]);
            Assert.Equal(("patched", 60, 1000), ((string?)written["name"], (int?)written["rpm"], (int?)written["tpm"]));
        }

        Assert.Null(cleared["allowedModels"]);
        Assert.Null(cleared["maxConcurrent"]);
        Assert.Null(cleared["credits"]);
        Assert.Null(cleared["expiresAt"]);
        Assert.Null(cleared["team"]);
        Assert.Null(cleared["tpm"]);
        Assert.Equal(("patched", 60), ((string?)cleared["name"], (int?)cleared["rpm"]));
        foreach (var written in new[] { teamSet, team })
        {
            Assert.Equal(("renamed-team", 10, 5000, 3), ((string?)written["name"], (int?)written["rpm"], (int?)written["tpm"], (int?)written["maxConcurrent"]));
            Assert.Equal(12.5m, (decimal?)written["credits"]!["granted"]);
        }

        Assert.Null(teamCleared["rpm"]);
        Assert.Null(teamCleared["credits"]);
        Assert.Equal(("renamed-team", 5000, 3), ((string?)teamCleared["name"], (int?)teamCleared["tpm"], (int?)teamCleared["maxConcurrent"]));
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task Revoked_key_is_refused_at_once(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, storage);
        var (id, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "short-lived" });
        using var client = gateway.HttpClient(secret);
        using var admin = gateway.AdminClient();

        using var before = await client.GetAsync("/v1/models", Cancel);
        using var revoke = await admin.DeleteAsync("/admin/keys/" + id, Cancel);
        using var after = await client.GetAsync("/v1/models", Cancel);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        await OpenAIErrorAssert.ReadAsync(after, HttpStatusCode.Unauthorized, "authentication_error", "invalid_api_key");
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task Usage_and_request_log_report_each_request_once_newest_first(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("one", promptTokens: 10, completionTokens: 4));
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("two", promptTokens: 20, completionTokens: 6));
        upstream.EnqueueJson(UpstreamAnswers.LeakyError(upstream), status: 400);
        await using var gateway = await StartAsync(upstream, storage);
        var (id, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "metered" });
        using var client = gateway.HttpClient(secret);
        var chat = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}""";

        using var first = await client.PostAsync("/v1/chat/completions", Requests.Json(chat), Cancel);
        using var second = await client.PostAsync("/v1/chat/completions", Requests.Json(chat), Cancel);
        using var failed = await client.PostAsync("/v1/chat/completions", Requests.Json(chat), Cancel);
        var usage = await AdminApi.UsageAsync(gateway, $"keyId={id}&since={DateTime.UtcNow:yyyy-MM-dd}&until={DateTime.UtcNow:yyyy-MM-dd}");
        var newest = await AdminApi.RequestsAsync(gateway, $"keyId={id}&limit=2");
        var failures = await AdminApi.RequestsAsync(gateway, $"keyId={id}&status=400");
        var otherModel = await AdminApi.UsageAsync(gateway, $"keyId={id}&model=echo");

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
        var day = Assert.Single(usage)!;
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), (string?)day["day"]);
        Assert.Equal("gpt-test", (string?)day["model"]);
        Assert.Equal(3, (int?)day["requests"]);
        Assert.Equal(30, (int?)day["inputTokens"]);
        Assert.Equal(10, (int?)day["outputTokens"]);
        Assert.Equal(30m * 1 + 10m * 2, (decimal?)day["cost"]);
        Assert.Equal(2, newest.Count);
        Assert.Equal(400, (int?)newest[0]!["status"]);
        Assert.Equal(0m, (decimal?)newest[0]!["cost"]);
        Assert.Equal(200, (int?)newest[1]!["status"]);
        Assert.Equal(20 + 6 * 2m, (decimal?)newest[1]!["cost"]);
        Assert.Equal("oai/gpt-upstream", (string?)newest[1]!["deployment"]);
        Assert.Equal("chat", (string?)newest[1]!["surface"]);
        Assert.NotNull((double?)newest[1]!["ttftMs"]);
        Assert.True((double?)newest[1]!["latencyMs"] >= (double?)newest[1]!["ttftMs"]);
        Assert.Equal(second.Headers.GetValues("X-Request-Id").Single(), (string?)newest[1]!["id"]);
        Assert.Single(failures);
        Assert.Empty(otherModel);
    }
}
