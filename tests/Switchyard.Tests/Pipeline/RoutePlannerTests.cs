using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Pipeline;

/// <summary>Capability checks (docs/behaviour.md): a model used on a surface it cannot serve is a 400 naming the surface to use.</summary>
public sealed class RoutePlannerTests
{
    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"embed-test","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/chat/completions", """{"model":"embed-test","stream":true,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/completions", """{"model":"embed-test","prompt":"hi"}""")]
    public async Task Refuses_an_embedding_model_on_a_generation_surface_naming_the_embeddings_route(string path, string body)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync(path, Requests.Json(body), TestContext.Current.CancellationToken);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Contains("/v1/embeddings", (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal("model", (string?)error["param"]);
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData("gpt-test")]
    [InlineData("echo")]
    public async Task Refuses_a_chat_model_on_embeddings_naming_the_chat_route(string model)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/embeddings", Requests.Json($$"""{"model":"{{model}}","input":"hi"}"""), TestContext.Current.CancellationToken);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Contains("/v1/chat/completions", (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"gpt-pro","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/completions", """{"model":"gpt-pro","prompt":"hi"}""")]
    public async Task Refuses_a_model_outside_its_endpoints_naming_the_surface_to_use(string path, string body)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
            config["models"]!.AsArray().Add(new JsonObject
            {
                ["id"] = "gpt-pro",
                ["provider"] = "oai",
                ["api"] = "responses",
                ["endpoints"] = new JsonArray("responses"),
            }));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync(path, Requests.Json(body), TestContext.Current.CancellationToken);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Contains("/v1/responses", (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }
}
