using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Surfaces;

/// <summary><c>/admin/teams</c> and a key's <c>team</c> (docs/admin-api.md), on SQLite and on PostgreSQL, and what they refuse.</summary>
public sealed class AdminTeamRoutesTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode Status, JsonObject? Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Requests.Json(body) };
        using var response = await client.SendAsync(request, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text)!.AsObject());
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task Team_round_trip_with_keys_joining_and_leaving_and_a_team_with_keys_kept(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, storage.Apply);
        using var admin = gateway.AdminClient();

        using var create = await admin.PostAsync("/admin/teams", Requests.Json("""{"name":"  research  ","rpm":60,"tpm":100000,"maxConcurrent":4,"credits":25.5}"""), Cancel);
        var created = (await create.Content.ReadFromJsonAsync<JsonObject>(Cancel))!;
        var teamId = (string)created["id"]!;
        var (otherId, _) = await AdminApi.CreateTeamAsync(gateway, new JsonObject { ["name"] = "ops" });
        var (keyId, _, key) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "alice", ["team"] = teamId });
        var (revokedId, _, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "gone", ["team"] = teamId });
        await admin.DeleteAsync("/admin/keys/" + revokedId, Cancel);
        var fetched = await AdminApi.TeamAsync(gateway, teamId);
        var listed = (await admin.GetFromJsonAsync<JsonObject>("/admin/teams", Cancel))!["data"]!.AsArray();
        var patched = await SendAsync(admin, HttpMethod.Patch, "/admin/teams/" + teamId, """{"rpm":null,"tpm":5000,"name":"research-2"}""");
        var toppedUp = await SendAsync(admin, HttpMethod.Post, $"/admin/teams/{teamId}/credits", """{"amount":-0.5}""");
        var refusedDelete = await SendAsync(admin, HttpMethod.Delete, "/admin/teams/" + teamId);
        var moved = await SendAsync(admin, HttpMethod.Patch, "/admin/keys/" + keyId, $$"""{"team":"{{otherId}}"}""");
        var movedOut = await SendAsync(admin, HttpMethod.Patch, "/admin/keys/" + keyId, """{"team":null}""");
        var deleted = await SendAsync(admin, HttpMethod.Delete, "/admin/teams/" + teamId);
        var afterDelete = await SendAsync(admin, HttpMethod.Get, "/admin/teams/" + teamId);
        var revokedKey = await AdminApi.KeyAsync(gateway, revokedId);

        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        Assert.Equal("/admin/teams/" + teamId, create.Headers.Location?.OriginalString);
        Assert.StartsWith("team_", teamId, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            {"id":"{{teamId}}","name":"research","rpm":60,"tpm":100000,"maxConcurrent":4,"credits":{"granted":25.5,"spent":0,"remaining":25.5},
             "keys":0,"createdAt":"{{created["createdAt"]}}"}
            """), created), created.ToJsonString());
        Assert.Equal(teamId, (string?)key["team"]);
        Assert.Equal(1, (int?)fetched["keys"]);
        Assert.Equal(["ops", "research"], listed.Select(t => (string)t!["name"]!));
        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.Null(patched.Body!["rpm"]);
        Assert.Equal(5000, (int?)patched.Body["tpm"]);
        Assert.Equal(4, (int?)patched.Body["maxConcurrent"]);
        Assert.Equal("research-2", (string?)patched.Body["name"]);
        Assert.Equal(25m, (decimal?)toppedUp.Body!["credits"]!["granted"]);
        Assert.Equal(HttpStatusCode.Conflict, refusedDelete.Status);
        Assert.Equal(409, (int?)refusedDelete.Body!["status"]);
        Assert.Contains("still has keys", (string?)refusedDelete.Body["detail"], StringComparison.Ordinal);
        Assert.Equal(otherId, (string?)moved.Body!["team"]);
        Assert.Null(movedOut.Body!["team"]);
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NotFound, afterDelete.Status);

        // A revoked key does not hold its team back; it leaves the team with it.
        Assert.Null(revokedKey["team"]);
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task Concurrent_top_ups_of_a_team_all_count(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, storage.Apply);
        var (teamId, _) = await AdminApi.CreateTeamAsync(gateway, new JsonObject { ["name"] = "busy" });
        using var admin = gateway.AdminClient();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
            (await SendAsync(admin, HttpMethod.Post, $"/admin/teams/{teamId}/credits", """{"amount":0.25}""")).Status));
        var team = await AdminApi.TeamAsync(gateway, teamId);

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(5m, (decimal?)team["credits"]!["granted"]);
    }

    public static TheoryData<string, string, string, HttpStatusCode, string?> Hostile => new()
    {
        { "POST", "/admin/teams", """{"rpm":5}""", HttpStatusCode.BadRequest, "name" },
        { "POST", "/admin/teams", """{"name":42}""", HttpStatusCode.BadRequest, "name" },
        { "POST", "/admin/teams", """{"name":"   "}""", HttpStatusCode.BadRequest, "name" },
        { "POST", "/admin/teams", $$"""{"name":"{{new string('x', 201)}}"}""", HttpStatusCode.BadRequest, "name" },
        { "POST", "/admin/teams", """{"name":"t","rpm":"10"}""", HttpStatusCode.BadRequest, "rpm" },
        { "POST", "/admin/teams", """{"name":"t","tpm":1.5}""", HttpStatusCode.BadRequest, "tpm" },
        { "POST", "/admin/teams", """{"name":"t","maxConcurrent":0}""", HttpStatusCode.BadRequest, "maxConcurrent" },
        { "POST", "/admin/teams", """{"name":"t","maxConcurrent":99999999999}""", HttpStatusCode.BadRequest, "maxConcurrent" },
        { "POST", "/admin/teams", """{"name":"t","credits":-1}""", HttpStatusCode.BadRequest, "credits" },
        { "POST", "/admin/teams", """{"name":"t","credits":"lots"}""", HttpStatusCode.BadRequest, "credits" },
        { "POST", "/admin/teams", """["name","t"]""", HttpStatusCode.BadRequest, null },
        { "POST", "/admin/teams", """{"name":""", HttpStatusCode.BadRequest, null },
        { "POST", "/admin/teams", """{"name":"taken"}""", HttpStatusCode.Conflict, "name" },
        { "PATCH", "/admin/teams/{team}", """{"name":"taken"}""", HttpStatusCode.Conflict, "name" },
        { "PATCH", "/admin/teams/{team}", """{"rpm":-5}""", HttpStatusCode.BadRequest, "rpm" },
        { "PATCH", "/admin/teams/team_0000000000000000", """{"rpm":5}""", HttpStatusCode.NotFound, null },
        { "GET", "/admin/teams/team_0000000000000000", "", HttpStatusCode.NotFound, null },
        { "GET", "/admin/teams/'; DROP TABLE teams; --", "", HttpStatusCode.NotFound, null },
        { "DELETE", "/admin/teams/team_0000000000000000", "", HttpStatusCode.NotFound, null },
        { "POST", "/admin/teams/{team}/credits", """{}""", HttpStatusCode.BadRequest, "amount" },
        { "POST", "/admin/teams/{team}/credits", """{"amount":"5"}""", HttpStatusCode.BadRequest, "amount" },
        { "POST", "/admin/teams/team_0000000000000000/credits", """{"amount":5}""", HttpStatusCode.NotFound, null },
        { "POST", "/admin/keys", """{"name":"k","team":5}""", HttpStatusCode.BadRequest, "team" },
        { "POST", "/admin/keys", """{"name":"k","team":""}""", HttpStatusCode.BadRequest, "team" },
        { "POST", "/admin/keys", """{"name":"k","team":"team_0000000000000000"}""", HttpStatusCode.BadRequest, "team" },
        { "PATCH", "/admin/keys/{key}", """{"team":"team_0000000000000000"}""", HttpStatusCode.BadRequest, "team" },
        { "PATCH", "/admin/keys/{key}", """{"team":["x"]}""", HttpStatusCode.BadRequest, "team" },
        { "PATCH", "/admin/keys/key_0000000000000000", """{"team":null}""", HttpStatusCode.NotFound, null },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Hostile_input_gets_a_clear_4xx_naming_the_field_and_changes_nothing(string method, string path, string body, HttpStatusCode status, string? param)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var (teamId, _) = await AdminApi.CreateTeamAsync(gateway, new JsonObject { ["name"] = "mine", ["rpm"] = 10 });
        await AdminApi.CreateTeamAsync(gateway, new JsonObject { ["name"] = "taken" });
        var (keyId, _, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "k", ["team"] = teamId });
        using var admin = gateway.AdminClient();
        var before = await admin.GetStringAsync("/admin/teams", Cancel) + await admin.GetStringAsync("/admin/keys", Cancel);

        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{team}", teamId, StringComparison.Ordinal).Replace("{key}", keyId, StringComparison.Ordinal))
        {
            Content = body.Length == 0 ? null : Requests.Json(body),
        };
        using var response = await admin.SendAsync(request, Cancel);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>(Cancel))!;
        var after = await admin.GetStringAsync("/admin/teams", Cancel) + await admin.GetStringAsync("/admin/keys", Cancel);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, (int?)problem["status"]);
        Assert.False(string.IsNullOrEmpty((string?)problem["detail"]));
        Assert.Equal(param, (string?)problem["param"]);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Team_routes_need_the_master_key()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var anonymous = gateway.HttpClient(key: null);
        using var user = gateway.HttpClient();

        var missing = await SendAsync(anonymous, HttpMethod.Get, "/admin/teams");
        var forbidden = await SendAsync(user, HttpMethod.Post, "/admin/teams", """{"name":"x"}""");
        var teams = await gateway.AdminClient().GetFromJsonAsync<JsonObject>("/admin/teams", Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, missing.Status);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        Assert.Empty(teams!["data"]!.AsArray());
    }

    [Fact]
    public async Task Usage_and_requests_by_team_follow_the_team_a_request_was_charged_to()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok", promptTokens: 10, completionTokens: 5));
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
            config["models"]![0]!["pricing"] = new JsonObject { ["inputPerMTok"] = 1_000, ["outputPerMTok"] = 2_000 });
        var (red, _) = await AdminApi.CreateTeamAsync(gateway, new JsonObject { ["name"] = "red" });
        var (blue, _) = await AdminApi.CreateTeamAsync(gateway, new JsonObject { ["name"] = "blue" });
        var (keyId, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "mover", ["team"] = red });
        using var client = gateway.HttpClient(secret);
        using var admin = gateway.AdminClient();
        const string chat = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}""";

        using var inRed = await client.PostAsync("/v1/chat/completions", Requests.Json(chat), Cancel);
        using var move = await admin.PatchAsync("/admin/keys/" + keyId, Requests.Json($$"""{"team":"{{blue}}"}"""), Cancel);
        using var inBlue1 = await client.PostAsync("/v1/chat/completions", Requests.Json(chat), Cancel);
        using var inBlue2 = await client.PostAsync("/v1/chat/completions", Requests.Json(chat), Cancel);
        var redRows = await AdminApi.RequestsAsync(gateway, $"teamId={red}");
        var blueRows = await AdminApi.RequestsAsync(gateway, $"teamId={blue}");
        var redUsage = await AdminApi.UsageAsync(gateway, $"teamId={red}");
        var blueUsage = await AdminApi.UsageAsync(gateway, $"teamId={blue}");
        var keyUsage = await AdminApi.UsageAsync(gateway, $"keyId={keyId}");
        var redTeam = await AdminApi.TeamAsync(gateway, red);

        const decimal cost = (10 * 1_000 + 5 * 2_000) / 1_000_000m;
        Assert.Equal(HttpStatusCode.OK, move.StatusCode);
        Assert.Equal(inRed.Headers.GetValues("X-Request-Id").Single(), (string?)Assert.Single(redRows)!["id"]);
        Assert.Equal(2, blueRows.Count);
        Assert.All(blueRows, row => Assert.Equal(blue, (string?)row!["teamId"]));
        Assert.Equal(1, (int?)Assert.Single(redUsage)!["requests"]);
        Assert.Equal(2, (int?)Assert.Single(blueUsage)!["requests"]);
        Assert.Equal(2 * cost, (decimal?)blueUsage[0]!["cost"]);
        Assert.Equal(new[] { red, blue }.Order(StringComparer.Ordinal), keyUsage.Select(r => (string)r!["teamId"]!).Order(StringComparer.Ordinal));
        Assert.Equal(0, (int?)redTeam["keys"]);
    }
}
