using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Forwarding;

/// <summary>Each attempt of a translated request works on its own copy of the neutral request.</summary>
public sealed class TranslatingForwarderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_fallback_model_does_not_inherit_the_first_models_output_cap()
    {
        await using var first = await FakeUpstream.StartAsync();
        await using var second = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartAsync(config =>
        {
            config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "a", ["type"] = "anthropic", ["baseUrl"] = first.BaseUrl, ["apiKey"] = GatewayInstance.UpstreamKey, ["retries"] = 0 });
            config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "b", ["type"] = "anthropic", ["baseUrl"] = second.BaseUrl, ["apiKey"] = GatewayInstance.UpstreamKey, ["retries"] = 0 });
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "capped", ["provider"] = "a", ["maxOutputTokens"] = 1000, ["fallbacks"] = new JsonArray("uncapped") });
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "uncapped", ["provider"] = "b" });
            config["routing"] = new JsonObject { ["backoffMilliseconds"] = 1 };
        });
        first.EnqueueJson(AnthropicAnswers.Error("api_error", "down"), 500);
        second.EnqueueJson(AnthropicAnswers.Text("from the fallback"));
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/chat/completions",
            Requests.Json("""{"model":"capped","messages":[{"role":"user","content":"hi"}]}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("from the fallback", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(1000, (int)first.LastRequest.Json["max_tokens"]!);
        Assert.Equal(4096, (int)second.LastRequest.Json["max_tokens"]!);
    }
}
