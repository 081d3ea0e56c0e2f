using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Switchyard.Tests.Infrastructure;

/// <summary>The admin API as tests use it: make keys and teams, read the ledger.</summary>
public static class AdminApi
{
    /// <summary>Creates a key through <c>POST /admin/keys</c>; returns its id, its secret and the whole answer.</summary>
    public static async Task<(string Id, string Secret, JsonObject Key)> CreateKeyAsync(GatewayInstance gateway, JsonObject body)
    {
        using var admin = gateway.AdminClient();
        using var response = await admin.PostAsync("/admin/keys", Requests.Json(body.ToJsonString()), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var key = (await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!;
        return ((string)key["id"]!, (string)key["key"]!, key);
    }

    public static async Task<JsonArray> RequestsAsync(GatewayInstance gateway, string query)
    {
        using var admin = gateway.AdminClient();
        var answer = await admin.GetFromJsonAsync<JsonObject>("/admin/requests?" + query, TestContext.Current.CancellationToken);
        return answer!["data"]!.AsArray();
    }

    /// <summary>
    /// The request log once it has at least <paramref name="atLeast"/> rows (or as it stands after
    /// 20 s): a request's row is queued as it ends, a moment after its answer reached the client.
    /// </summary>
    public static async Task<JsonArray> RequestsAsync(GatewayInstance gateway, string query, int atLeast)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var rows = await RequestsAsync(gateway, query);
            if (rows.Count >= atLeast || DateTime.UtcNow > deadline)
            {
                return rows;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The request log's row for the one request of key <paramref name="keyId"/>, once it is written (just after the answer's last byte).</summary>
    public static async Task<JsonObject> SingleRequestAsync(GatewayInstance gateway, string keyId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (await RequestsAsync(gateway, "keyId=" + keyId) is [JsonObject row])
            {
                return row;
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"No request of key {keyId} reached the request log.");
        return null;
    }

    public static async Task<JsonArray> UsageAsync(GatewayInstance gateway, string query)
    {
        using var admin = gateway.AdminClient();
        var answer = await admin.GetFromJsonAsync<JsonObject>("/admin/usage?" + query, TestContext.Current.CancellationToken);
        return answer!["data"]!.AsArray();
    }

    public static async Task<JsonObject> KeyAsync(GatewayInstance gateway, string id)
    {
        using var admin = gateway.AdminClient();
        return (await admin.GetFromJsonAsync<JsonObject>("/admin/keys/" + id, TestContext.Current.CancellationToken))!;
    }

    /// <summary>Creates a team through <c>POST /admin/teams</c>; returns its id and the whole answer.</summary>
    public static async Task<(string Id, JsonObject Team)> CreateTeamAsync(GatewayInstance gateway, JsonObject body)
    {
        using var admin = gateway.AdminClient();
        using var response = await admin.PostAsync("/admin/teams", Requests.Json(body.ToJsonString()), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var team = (await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!;
        return ((string)team["id"]!, team);
    }

    public static async Task<JsonObject> TeamAsync(GatewayInstance gateway, string id)
    {
        using var admin = gateway.AdminClient();
        return (await admin.GetFromJsonAsync<JsonObject>("/admin/teams/" + id, TestContext.Current.CancellationToken))!;
    }
}
