using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Forwarding;

/// <summary>
/// Web search natively on every upstream that has it: the client's search tool becomes the
/// upstream's, and what it found comes back as the client's own citations, whole and streamed.
/// </summary>
public sealed class WebSearchTests
{
    private const string Grounded = """
        {"candidates":[{"content":{"role":"model","parts":[{"text":"Paris is sunny today."}]},"finishReason":"STOP","index":0,
          "groundingMetadata":{"webSearchQueries":["paris weather"],
            "groundingChunks":[{"web":{"uri":"https://weather.example/paris","title":"weather.example"}}],
            "groundingSupports":[{"segment":{"startIndex":0,"endIndex":20,"text":"Paris is sunny today"},"groundingChunkIndices":[0]}]}}],
         "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"totalTokenCount":15},"modelVersion":"gemini-upstream","responseId":"r1"}
        """;

    [Fact]
    public async Task Anthropic_clients_search_through_gemini_and_get_their_own_citations()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream, config => config["providers"]![0]!["search"] = true);
        upstream.EnqueueJson(Grounded);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/messages", Requests.Json("""
            {"model":"gemini-test","max_tokens":200,"messages":[{"role":"user","content":"Weather in Paris?"}],
             "tools":[{"type":"web_search_20250305","name":"web_search","max_uses":3}]}
            """), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("tools.0.max_uses=dropped", string.Join(",", response.Headers.GetValues("X-Param-Adjustments")));
        var message = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        var content = message["content"]!.AsArray();
        Assert.Equal(["server_tool_use", "web_search_tool_result", "text"], content.Select(b => (string?)b!["type"]));
        Assert.Equal(("web_search", "paris weather"), ((string?)content[0]!["name"], (string?)content[0]!["input"]!["query"]));
        Assert.Equal((string?)content[0]!["id"], (string?)content[1]!["tool_use_id"]);
        Assert.StartsWith("srvtoolu_", (string?)content[0]!["id"], StringComparison.Ordinal);
        Assert.Equal("https://weather.example/paris", (string?)content[1]!["content"]![0]!["url"]);
        var citation = content[2]!["citations"]![0]!;
        Assert.Equal(("web_search_result_location", "https://weather.example/paris", "Paris is sunny today"),
            ((string?)citation["type"], (string?)citation["url"], (string?)citation["cited_text"]));
        Assert.Equal(1, (int?)message["usage"]!["server_tool_use"]!["web_search_requests"]);
        var sent = upstream.LastRequest.Json;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"google_search":{}}]"""), sent["tools"]), sent.ToJsonString());
    }

    [Fact]
    public async Task Chat_clients_search_through_anthropic_and_stream_url_citations()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream, config => config["providers"]![0]!["search"] = true);
        upstream.EnqueueSse(
        [
            AnthropicAnswers.MessageStart(),
            AnthropicAnswers.Event("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srvtoolu_01","name":"web_search","input":{}}}"""),
            AnthropicAnswers.InputJsonDelta(0, """{"query":"paris weather"}"""),
            AnthropicAnswers.BlockStop(0),
            AnthropicAnswers.Event("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"web_search_tool_result","tool_use_id":"srvtoolu_01","content":[{"type":"web_search_result","url":"https://weather.example/paris","title":"Paris weather","encrypted_content":"Eqg","page_age":null}]}}"""),
            AnthropicAnswers.BlockStop(1),
            AnthropicAnswers.TextStart(2),
            AnthropicAnswers.Event("content_block_delta", """{"type":"content_block_delta","index":2,"delta":{"type":"citations_delta","citation":{"type":"web_search_result_location","url":"https://weather.example/paris","title":"Paris weather","encrypted_index":"Eo8","cited_text":"Sunny, 21C"}}}"""),
            AnthropicAnswers.TextDelta(2, "It is sunny."),
            AnthropicAnswers.BlockStop(2),
            AnthropicAnswers.Event("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9,"server_tool_use":{"web_search_requests":1}}}"""),
            AnthropicAnswers.MessageStop(),
        ]);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""
            {"model":"claude-test","stream":true,"messages":[{"role":"user","content":"Weather in Paris?"}],
             "web_search_options":{"user_location":{"type":"approximate","approximate":{"city":"Paris","country":"FR"}}}}
            """), TestContext.Current.CancellationToken);
        var chunks = SseEvents.Chunks(await SseEvents.ReadDataAsync(response));

        var text = string.Concat(chunks.Select(c => (string?)c["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"]));
        Assert.Equal("It is sunny.", text);
        var annotation = Assert.Single(chunks.SelectMany(c => c["choices"]?.AsArray().FirstOrDefault()?["delta"]?["annotations"]?.AsArray() ?? []))!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"type":"url_citation","url_citation":{"start_index":0,"end_index":12,"url":"https://weather.example/paris","title":"Paris weather"}}
            """), annotation), annotation.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"type":"web_search_20250305","name":"web_search","user_location":{"type":"approximate","city":"Paris","country":"FR"}}]
            """), upstream.LastRequest.Json["tools"]), upstream.LastRequest.BodyText);
    }

    [Fact]
    public async Task Responses_clients_search_through_anthropic_and_get_a_web_search_call_and_annotations()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream, config => config["providers"]![0]!["search"] = true);
        upstream.EnqueueJson(AnthropicAnswers.Message("""
            [{"type":"server_tool_use","id":"srvtoolu_01","name":"web_search","input":{"query":"paris weather"}},
             {"type":"web_search_tool_result","tool_use_id":"srvtoolu_01","content":[{"type":"web_search_result","url":"https://weather.example/paris","title":"Paris weather","encrypted_content":"Eqg","page_age":null}]},
             {"type":"text","text":"It is sunny.","citations":[{"type":"web_search_result_location","url":"https://weather.example/paris","title":"Paris weather","encrypted_index":"Eo8","cited_text":"Sunny, 21C"}]}]
            """));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/responses", Requests.Json("""
            {"model":"claude-test","input":"Weather in Paris?","tools":[{"type":"web_search","filters":{"allowed_domains":["weather.example"]}}]}
            """), TestContext.Current.CancellationToken);

        var output = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["output"]!.AsArray();
        Assert.Equal(["web_search_call", "message"], output.Select(i => (string?)i!["type"]));
        Assert.Equal("paris weather", (string?)output[0]!["action"]!["query"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"type":"url_citation","start_index":0,"end_index":12,"url":"https://weather.example/paris","title":"Paris weather"}]
            """), output[1]!["content"]![0]!["annotations"]), output.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"type":"web_search_20250305","name":"web_search","allowed_domains":["weather.example"]}]
            """), upstream.LastRequest.Json["tools"]), upstream.LastRequest.BodyText);
    }
}
