using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Surfaces;

public sealed class ResponsesInputTokensTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Counts_on_a_responses_upstream_with_its_model_name()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "pro", ["provider"] = "oai", ["model"] = "pro-upstream", ["api"] = "responses" }));
        upstream.EnqueueJson("""{"object":"response.input_tokens","input_tokens":42}""");
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/responses/input_tokens", Requests.Json("""{"model":"pro","input":"count me"}"""), Ct);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(42, (int?)body["input_tokens"]);
        Assert.False(response.Headers.Contains("X-Token-Count-Estimated"));
        Assert.Equal("/v1/responses/input_tokens", upstream.LastRequest.Path);
        Assert.Equal("pro-upstream", (string?)upstream.LastRequest.Json["model"]);
    }

    [Fact]
    public async Task Estimates_for_other_upstreams_and_says_so()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/responses/input_tokens", Requests.Json("""{"model":"echo","input":"a message of some forty characters long"}"""), Ct);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("response.input_tokens", (string?)body["object"]);
        Assert.InRange((int)body["input_tokens"]!, 5, 30);
        Assert.Equal("true", response.Headers.GetValues("X-Token-Count-Estimated").Single());
        Assert.Empty(upstream.Requests);
    }
}
