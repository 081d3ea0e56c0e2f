using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Pipeline;

/// <summary>Input over a model's <c>contextWindow</c> is a 422 (<c>context_length_exceeded</c>) before anything goes upstream, on every surface.</summary>
public sealed class ContextWindowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string Long = string.Join(' ', Enumerable.Repeat("lorem ipsum dolor", 400));

    public static TheoryData<string, string> Surfaces() => new()
    {
        { "/v1/chat/completions", $$"""{"model":"small-window","messages":[{"role":"user","content":"{{Long}}"}]}""" },
        { "/v1/responses", $$"""{"model":"small-window","input":"{{Long}}"}""" },
        { "/v1/messages", $$"""{"model":"small-window","max_tokens":10,"messages":[{"role":"user","content":"{{Long}}"}]}""" },
        { "/v1beta/models/small-window:generateContent", $$"""{"contents":[{"role":"user","parts":[{"text":"{{Long}}"}]}]}""" },
        { "/v1beta/models/small-window:streamGenerateContent?alt=sse", $$"""{"contents":[{"role":"user","parts":[{"text":"{{Long}}"}]}]}""" },
        { "/v1/completions", $$"""{"model":"small-window","prompt":"{{Long}}"}""" },
    };

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task Input_over_the_context_window_is_a_422_before_anything_goes_upstream(string path, string body)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "small-window", ["provider"] = "oai", ["contextWindow"] = 500 }));
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync(path, Requests.Json(body), Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("context window", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task The_openai_envelope_names_the_code()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "small-window", ["provider"] = "oai", ["contextWindow"] = 500 }));
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/chat/completions",
            Requests.Json($$"""{"model":"small-window","messages":[{"role":"user","content":"{{Long}}"}]}"""), Ct);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.UnprocessableEntity, "invalid_request_error", "context_length_exceeded");
    }
}
