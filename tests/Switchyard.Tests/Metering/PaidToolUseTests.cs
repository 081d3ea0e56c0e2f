using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Metering;

/// <summary>
/// Upstream features billed per call or as extra input reach the ledger: Anthropic web searches,
/// Gemini's tool-use prompt tokens, OpenAI web search calls — on passthrough and translation,
/// streamed and not. Every model here costs 1 credit per million tokens each way and 0.01 a search.
/// </summary>
public sealed class PaidToolUseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonObject Pricing() => new() { ["inputPerMTok"] = 1, ["outputPerMTok"] = 1, ["webSearchPerCall"] = 0.01 };

    private static Task<GatewayInstance> StartAsync(FakeUpstream upstream, string type) => GatewayInstance.StartAsync(config =>
    {
        var baseUrl = type == "openai" ? upstream.BaseUrl + "/v1" : upstream.BaseUrl;
        config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "up", ["type"] = type, ["baseUrl"] = baseUrl, ["apiKey"] = GatewayInstance.UpstreamKey });
        config["models"]!.AsArray().Add(new JsonObject { ["id"] = "paid", ["provider"] = "up", ["model"] = "upstream-model", ["pricing"] = Pricing() });
        if (type == "openai")
        {
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "paid-responses", ["provider"] = "up", ["model"] = "upstream-model", ["api"] = "responses", ["pricing"] = Pricing() });
        }
    });

    private const string AnthropicUsage = """{"input_tokens":1000,"output_tokens":1000,"server_tool_use":{"web_search_requests":3}}""";

    [Fact]
    public async Task Charges_anthropic_web_searches_on_passthrough()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, "anthropic");
        upstream.EnqueueJson($$"""{"id":"msg_1","type":"message","role":"assistant","model":"upstream-model","content":[{"type":"text","text":"found"}],"stop_reason":"end_turn","usage":{{AnthropicUsage}}}""");
        var (id, secret) = await KeyAsync(gateway);
        using var client = gateway.HttpClient(secret);

        using var response = await client.PostAsync("/v1/messages", Requests.Json("""
            {"model":"paid","max_tokens":100,"messages":[{"role":"user","content":"search"}],"tools":[{"type":"web_search_20250305","name":"web_search","max_uses":5}]}
            """), Ct);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0.032m, (decimal)body["usage"]!["cost"]!);
        Assert.Equal(3, (int)body["usage"]!["server_tool_use"]!["web_search_requests"]!);
        Assert.Equal("web_search_20250305", (string?)upstream.LastRequest.Json["tools"]![0]!["type"]);
        Assert.Equal(0.032m, await CostAsync(gateway, id));
    }

    [Fact]
    public async Task Charges_anthropic_web_searches_reported_in_a_stream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, "anthropic");
        upstream.EnqueueSse(
        [
            AnthropicAnswers.MessageStart(inputTokens: 1000),
            AnthropicAnswers.TextStart(0),
            AnthropicAnswers.TextDelta(0, "found"),
            AnthropicAnswers.BlockStop(0),
            AnthropicAnswers.Event("message_delta", $$"""{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{{AnthropicUsage}}}"""),
            AnthropicAnswers.MessageStop(),
        ]);
        var (id, secret) = await KeyAsync(gateway);
        using var client = gateway.HttpClient(secret);

        using var response = await client.PostAsync("/v1/messages", Requests.Json("""
            {"model":"paid","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"search"}]}
            """), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"web_search_requests\":3", text, StringComparison.Ordinal);
        Assert.True((bool?)upstream.LastRequest.Json["stream"]);
        Assert.Equal(0.032m, await CostAsync(gateway, id));
    }

    [Fact]
    public async Task Charges_anthropic_web_searches_when_translated_for_an_openai_client()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, "anthropic");
        upstream.EnqueueJson($$"""{"id":"msg_1","type":"message","role":"assistant","model":"upstream-model","content":[{"type":"text","text":"found"}],"stop_reason":"end_turn","usage":{{AnthropicUsage}}}""");
        var (id, secret) = await KeyAsync(gateway);
        var client = gateway.OpenAIClient(secret).GetChatClient("paid");

        var completion = (await client.CompleteChatAsync([new OpenAI.Chat.UserChatMessage("search")], cancellationToken: Ct)).Value;

        Assert.Equal("found", completion.Content[0].Text);
        Assert.Equal("/v1/messages", upstream.LastRequest.Path);
        Assert.Equal(0.032m, await CostAsync(gateway, id));
    }

    [Theory]
    [InlineData("/v1beta/models/paid:generateContent", """{"contents":[{"role":"user","parts":[{"text":"search"}]}],"tools":[{"googleSearch":{}}]}""")]
    [InlineData("/v1/chat/completions", """{"model":"paid","messages":[{"role":"user","content":"search"}]}""")]
    public async Task Charges_gemini_tool_use_prompt_tokens_as_input_on_passthrough_and_translation(string path, string request)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, "gemini");
        upstream.EnqueueJson("""
            {"candidates":[{"content":{"parts":[{"text":"found"}],"role":"model"},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":1000,"toolUsePromptTokenCount":8000,"totalTokenCount":10000},"modelVersion":"upstream-model"}
            """);
        var (id, secret) = await KeyAsync(gateway);
        using var client = gateway.HttpClient(secret);

        using var response = await client.PostAsync(path, Requests.Json(request), Ct);
        var row = await RowAsync(gateway, id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/v1beta/models/upstream-model:generateContent", upstream.LastRequest.Path);
        Assert.Equal(9000, (long)row["inputTokens"]!);
        Assert.Equal(0.01m, (decimal)row["cost"]!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Charges_openai_responses_web_search_calls_on_passthrough(bool stream)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, "openai");
        var response = """
            {"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"upstream-model",
             "output":[{"type":"web_search_call","id":"ws_1","status":"completed","action":{"type":"search","query":"a"}},
                       {"type":"web_search_call","id":"ws_2","status":"completed","action":{"type":"search","query":"b"}},
                       {"type":"message","id":"msg_1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"found","annotations":[]}]}],
             "usage":{"input_tokens":1000,"output_tokens":1000,"total_tokens":2000}}
            """.ReplaceLineEndings("");
        if (stream)
        {
            upstream.EnqueueSse(
            [
                "event: response.created\ndata: " + """{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","model":"upstream-model","output":[]}}""",
                "event: response.completed\ndata: " + $$"""{"type":"response.completed","sequence_number":1,"response":{{response}}}""",
            ]);
        }
        else
        {
            upstream.EnqueueJson(response);
        }

        var (id, secret) = await KeyAsync(gateway);
        using var client = gateway.HttpClient(secret);

        using var answer = await client.PostAsync("/v1/responses", Requests.Json($$"""
            {"model":"paid-responses","input":"search","tools":[{"type":"web_search"}],"stream":{{(stream ? "true" : "false")}}}
            """), Ct);
        await answer.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("web_search", (string?)upstream.LastRequest.Json["tools"]![0]!["type"]);
        Assert.Equal(0.022m, await CostAsync(gateway, id));
    }

    [Fact]
    public async Task Charges_a_chat_request_with_web_search_options_one_search()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, "openai");
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("found", promptTokens: 1000, completionTokens: 1000));
        var (id, secret) = await KeyAsync(gateway);
        using var client = gateway.HttpClient(secret);

        using var response = await client.PostAsync("/v1/chat/completions", Requests.Json("""
            {"model":"paid","messages":[{"role":"user","content":"search"}],"web_search_options":{"search_context_size":"low"}}
            """), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("low", (string?)upstream.LastRequest.Json["web_search_options"]!["search_context_size"]);
        Assert.Equal(0.012m, await CostAsync(gateway, id));
    }

    private static async Task<(string Id, string Secret)> KeyAsync(GatewayInstance gateway)
    {
        var (id, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "paid", ["credits"] = 10 });
        return (id, secret);
    }

    private static async Task<decimal> CostAsync(GatewayInstance gateway, string keyId) => (decimal)(await RowAsync(gateway, keyId))["cost"]!;

    private static async Task<JsonObject> RowAsync(GatewayInstance gateway, string keyId)
    {
        for (var i = 0; i < 100; i++)
        {
            var rows = await AdminApi.RequestsAsync(gateway, $"keyId={keyId}");
            if (rows.Count > 0)
            {
                return rows[0]!.AsObject();
            }

            await Task.Delay(50, Ct);
        }

        throw new TimeoutException("no request log row");
    }
}
