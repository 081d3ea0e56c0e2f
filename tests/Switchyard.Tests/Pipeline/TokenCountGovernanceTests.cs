using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Pipeline;

/// <summary>
/// Token-count routes are governed like every model route: authenticated, counted against the
/// key's <c>rpm</c> and <c>maxConcurrent</c>, logged in the request log — and never charged.
/// </summary>
public sealed class TokenCountGovernanceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Routes() => new()
    {
        { "/v1/messages/count_tokens", """{"model":"priced","messages":[{"role":"user","content":"how many tokens is this"}]}""" },
        { "/v1beta/models/priced:countTokens", """{"contents":[{"role":"user","parts":[{"text":"how many tokens is this"}]}]}""" },
        { "/v1/responses/input_tokens", """{"model":"priced","input":"how many tokens is this"}""" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_token_count_is_authenticated_rate_limited_logged_and_never_charged(string path, string body)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
            config["models"]!.AsArray().Add(new JsonObject
            {
                ["id"] = "priced",
                ["provider"] = "oai",
                ["pricing"] = new JsonObject { ["inputPerMTok"] = 1000, ["outputPerMTok"] = 1000, ["minimumCharge"] = 0.5 },
            }));
        var (id, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "counter", ["rpm"] = 2, ["credits"] = 10 });
        using var anonymous = gateway.HttpClient(key: null);
        using var client = gateway.HttpClient(secret);

        using var unauthenticated = await anonymous.PostAsync(path, Requests.Json(body), Ct);
        using var first = await client.PostAsync(path, Requests.Json(body), Ct);
        using var second = await client.PostAsync(path, Requests.Json(body), Ct);
        using var third = await client.PostAsync(path, Requests.Json(body), Ct);
        var rows = await AdminApi.RequestsAsync(gateway, "keyId=" + id);
        var key = await AdminApi.KeyAsync(gateway, id);

        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal("2", first.Headers.GetValues("x-ratelimit-limit-requests").Single());
        Assert.Equal(3, rows.Count);
        Assert.All(rows, row => Assert.Equal(0m, (decimal)row!["cost"]!));
        Assert.Equal([200, 200, 429], rows.Select(r => (int)r!["status"]!).Order());
        Assert.Equal(0m, (decimal)key["credits"]!["spent"]!);
        Assert.Empty(upstream.Requests);
    }
}
