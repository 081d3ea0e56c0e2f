using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Pipeline;

/// <summary>The parameter policy of docs/behaviour.md: clamp and report, or refuse under <c>strict_params</c>; echo <c>metadata</c>.</summary>
public sealed class ParameterPolicyTests
{
    [Fact]
    public async Task Clamps_an_out_of_range_temperature_and_reports_it()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("ok"));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(
            """{"model":"gpt-test","temperature":3.5,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("temperature", Assert.Single(response.Headers.GetValues("X-Param-Adjustments")), StringComparison.Ordinal);
        Assert.Equal(2.0, (double?)upstream.LastRequest.Json["temperature"]);
    }

    [Fact]
    public async Task Reports_clamps_on_a_passthrough_stream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueSse(UpstreamAnswers.TextStream("ok"));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(
            """{"model":"gpt-test","stream":true,"temperature":-1,"presence_penalty":9,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        var data = await SseEvents.ReadDataAsync(response);

        var header = Assert.Single(response.Headers.GetValues("X-Param-Adjustments"));
        Assert.Contains("temperature", header, StringComparison.Ordinal);
        Assert.Contains("presence_penalty", header, StringComparison.Ordinal);
        Assert.Equal(0.0, (double?)upstream.LastRequest.Json["temperature"]);
        Assert.Equal(2.0, (double?)upstream.LastRequest.Json["presence_penalty"]);
        Assert.Equal("[DONE]", data[^1]);
    }

    [Fact]
    public async Task Clamps_on_the_translated_path_too()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        using var plain = await http.PostAsync("/v1/chat/completions", Requests.Json(
            """{"model":"echo","temperature":3.5,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        using var stream = await http.PostAsync("/v1/chat/completions", Requests.Json(
            """{"model":"echo","stream":true,"top_p":1.5,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Contains("temperature", Assert.Single(plain.Headers.GetValues("X-Param-Adjustments")), StringComparison.Ordinal);
        Assert.Contains("top_p", Assert.Single(stream.Headers.GetValues("X-Param-Adjustments")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sends_no_adjustments_header_when_nothing_changed()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("ok"));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(
            """{"model":"gpt-test","temperature":2,"top_p":0,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Param-Adjustments"));
        Assert.Equal(2.0, (double?)upstream.LastRequest.Json["temperature"]);
    }

    [Theory]
    [InlineData("gpt-test", false)]
    [InlineData("gpt-test", true)]
    [InlineData("echo", false)]
    [InlineData("echo", true)]
    public async Task Strict_params_turns_a_clamp_into_a_400_naming_the_parameter(string model, bool stream)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(
            $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"strict_params":true,"temperature":3.5,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Equal("temperature", (string?)error["param"]);
        Assert.Contains("temperature", (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Strict_params_on_a_request_within_range_is_served_and_not_forwarded()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("ok"));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(
            """{"model":"gpt-test","strict_params":true,"temperature":1,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(upstream.LastRequest.Json.ContainsKey("strict_params"));
        Assert.Equal(1.0, (double?)upstream.LastRequest.Json["temperature"]);
    }

    [Theory]
    [InlineData("gpt-test")]
    [InlineData("echo")]
    public async Task Store_and_service_tier_are_no_adjustment_even_when_strict(string model)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("ok"));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(
            $$"""{"model":"{{model}}","strict_params":true,"store":true,"service_tier":"flex","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Param-Adjustments"));
        Assert.Equal(model == "gpt-test" ? 1 : 0, upstream.Requests.Count);
    }

    [Fact]
    public async Task Forwards_store_and_service_tier_on_passthrough()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("ok"));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(
            """{"model":"gpt-test","store":true,"service_tier":"flex","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((bool?)upstream.LastRequest.Json["store"]);
        Assert.Equal("flex", (string?)upstream.LastRequest.Json["service_tier"]);
    }

    [Theory]
    [InlineData("gpt-test")]
    [InlineData("echo")]
    public async Task Echoes_metadata_on_chat_results(string model)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("ok"));
        using var http = gateway.HttpClient();
        const string metadata = """{"ticket":"T-1","team":"search"}""";

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(
            $$"""{"model":"{{model}}","metadata":{{metadata}},"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(metadata), body["metadata"]), body.ToJsonString());
        Assert.Equal(model, (string?)body["model"]);
    }
}
