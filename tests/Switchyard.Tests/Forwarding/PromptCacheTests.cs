using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Forwarding;

/// <summary>
/// Prompt caching carried across dialects: Anthropic breakpoints from every surface, every
/// upstream's cached tokens in every client's usage and in the ledger's cache buckets, and
/// <c>prompt_cache_key</c> to OpenAI.
/// </summary>
public sealed class PromptCacheTests
{
    // An OpenAI-shaped request with Anthropic breakpoints where LiteLLM accepts them: a content part, a tool, a string message.
    private const string ChatWithBreakpoints = """
        {"model":"claude-test","messages":[
          {"role":"system","content":[{"type":"text","text":"A long, stable system prompt.","cache_control":{"type":"ephemeral"}}]},
          {"role":"user","content":"What changed?","cache_control":{"type":"ephemeral","ttl":"1h"}}],
         "tools":[{"type":"function","function":{"name":"read_file","parameters":{"type":"object","properties":{"path":{"type":"string"}}}},"cache_control":{"type":"ephemeral"}}]}
        """;

    [Fact]
    public async Task A_repeated_chat_request_carries_its_breakpoints_to_anthropic_and_reports_the_cache_read()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        upstream.EnqueueJson(AnthropicAnswers.Message("""[{"type":"text","text":"Nothing."}]""").Replace(
            "\"cache_creation_input_tokens\":0", "\"cache_creation_input_tokens\":900", StringComparison.Ordinal));
        upstream.EnqueueJson(AnthropicAnswers.Message("""[{"type":"text","text":"Nothing."}]""").Replace(
            "\"cache_read_input_tokens\":0", "\"cache_read_input_tokens\":900", StringComparison.Ordinal));
        using var http = gateway.HttpClient();

        using var first = await http.PostAsync("/v1/chat/completions", Requests.Json(ChatWithBreakpoints), TestContext.Current.CancellationToken);
        using var second = await http.PostAsync("/v1/chat/completions", Requests.Json(ChatWithBreakpoints), TestContext.Current.CancellationToken);
        var usage = JsonNode.Parse(await second.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["usage"]!;

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(912, (int?)usage["prompt_tokens"]);
        Assert.Equal(900, (int?)usage["prompt_tokens_details"]!["cached_tokens"]);
        var sent = upstream.LastRequest.Json;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"ephemeral"}"""), sent["system"]![0]!["cache_control"]), sent.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"ephemeral","ttl":"1h"}"""), sent["messages"]![0]!["content"]![0]!["cache_control"]), sent.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"ephemeral"}"""), sent["tools"]![0]!["cache_control"]), sent.ToJsonString());
        var row = Assert.Single(await AdminApi.UsageAsync(gateway, "model=claude-test"))!;
        Assert.Equal(2, (long?)row["requests"]);
        Assert.Equal(900, (long?)row["cachedInputTokens"]);
        Assert.Equal(900, (long?)row["cacheWriteTokens"]);
        Assert.Equal(24, (long?)row["inputTokens"]);
    }

    [Fact]
    public async Task A_gemini_implicit_cache_hit_shows_as_anthropic_cache_reads()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream);
        upstream.EnqueueJson("""
            {"candidates":[{"content":{"role":"model","parts":[{"text":"Hi."}]},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":2100,"cachedContentTokenCount":2048,"candidatesTokenCount":3,"totalTokenCount":2103},"modelVersion":"g","responseId":"r"}
            """);
        var client = gateway.AnthropicClient();

        var message = await client.Messages.Create(new Anthropic.Models.Messages.MessageCreateParams
        {
            Model = "gemini-test",
            MaxTokens = 50,
            Messages = [new Anthropic.Models.Messages.UserMessageParam("Hello")],
        }, TestContext.Current.CancellationToken);

        Assert.Equal(2048, message.Usage.CacheReadInputTokens);
        Assert.Equal(52, message.Usage.InputTokens);
        var row = Assert.Single(await AdminApi.UsageAsync(gateway, "model=gemini-test"))!;
        Assert.Equal(2048, (long?)row["cachedInputTokens"]);
    }

    [Fact]
    public async Task The_prompt_cache_key_reaches_openai_and_its_cached_tokens_come_back_in_responses_usage()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson("""
            {"id":"c1","object":"chat.completion","created":1,"model":"gpt-upstream","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":1500,"completion_tokens":2,"total_tokens":1502,"prompt_tokens_details":{"cached_tokens":1280}}}
            """);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/responses", Requests.Json("""
            {"model":"gpt-test","input":"Hi","prompt_cache_key":"session-42"}
            """), TestContext.Current.CancellationToken);
        var usage = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["usage"]!;

        Assert.Equal("session-42", (string?)upstream.LastRequest.Json["prompt_cache_key"]);
        Assert.Equal(1500, (int?)usage["input_tokens"]);
        Assert.Equal(1280, (int?)usage["input_tokens_details"]!["cached_tokens"]);
    }

    [Fact]
    public async Task Responses_input_parts_carry_breakpoints_to_anthropic()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        upstream.EnqueueJson(AnthropicAnswers.Text("ok"));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/responses", Requests.Json("""
            {"model":"claude-test","input":[{"role":"user","content":[{"type":"input_text","text":"Long document…","cache_control":{"type":"ephemeral"}},{"type":"input_text","text":"Summarise."}]}]}
            """), TestContext.Current.CancellationToken);

        var content = upstream.LastRequest.Json["messages"]![0]!["content"]!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"type":"text","text":"Long document…","cache_control":{"type":"ephemeral"}},{"type":"text","text":"Summarise."}]
            """), content), content.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
