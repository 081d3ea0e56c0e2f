using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Surfaces;

/// <summary>
/// The Gemini routes as the Google GenAI SDKs call them (x-goog-api-key or ?key=, camelCase bodies,
/// OpenAPI schema types, alt=sse), against echo, an OpenAI-compatible and an Anthropic upstream.
/// </summary>
public sealed class GeminiSurfaceTests
{
    private const string WeatherTool = """
        "tools":[{"functionDeclarations":[{"name":"get_weather","description":"Weather for a city","parameters":{"type":"OBJECT","properties":{"city":{"type":"STRING"}},"required":["city"]}}]}]
        """;

    [Fact]
    public async Task Generates_content_from_an_openai_upstream()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai);
        openai.EnqueueJson(UpstreamAnswers.ChatCompletion("Hi from upstream", promptTokens: 11, completionTokens: 4));
        using var http = GoogleClient(gateway);

        using var response = await http.PostAsync("/v1beta/models/gpt-test:generateContent", Requests.Json("""
            {"contents":[{"role":"user","parts":[{"text":"hello"}]}],
             "systemInstruction":{"parts":[{"text":"be brief"}]},
             "generationConfig":{"maxOutputTokens":100,"temperature":0.5,"topP":0.75,"stopSequences":["END"]}}
            """), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"candidates":[{"content":{"role":"model","parts":[{"text":"Hi from upstream"}]},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":11,"candidatesTokenCount":4,"totalTokenCount":15},
             "modelVersion":"gpt-test","responseId":"chatcmpl-up1"}
            """), JsonNode.Parse(body)), body);
        var sent = Assert.Single(openai.Requests);
        Assert.Equal("/v1/chat/completions", sent.Path);
        Assert.Equal("Bearer " + GatewayInstance.UpstreamKey, sent.Header("authorization"));
        Assert.Null(sent.Header("x-goog-api-key"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"model":"gpt-upstream","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hello"}],
             "max_completion_tokens":100,"temperature":0.5,"top_p":0.75,"stop":["END"]}
            """), sent.Json), sent.BodyText);
    }

    [Fact]
    public async Task Accepts_the_key_as_a_query_parameter_and_never_forwards_it()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai);
        openai.EnqueueJson(UpstreamAnswers.ChatCompletion("ok"));
        using var http = gateway.HttpClient(key: null);

        using var response = await http.PostAsync($"/v1beta/models/gpt-test:generateContent?key={GatewayInstance.UserKey}",
            Requests.Json("""{"contents":[{"parts":[{"text":"hi"}]}]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(openai.Requests);
        Assert.Equal("", sent.Query);
        Assert.DoesNotContain(sent.Headers, h => h.Value.Contains(GatewayInstance.UserKey, StringComparison.Ordinal));
        Assert.DoesNotContain(GatewayInstance.UserKey, sent.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streams_sse_chunks_from_an_openai_upstream()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai);
        openai.EnqueueSse(UpstreamAnswers.TextStream("Hel", "lo"));
        using var http = GoogleClient(gateway);

        using var response = await http.PostAsync("/v1beta/models/gpt-test:streamGenerateContent?alt=sse",
            Requests.Json("""{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"""), TestContext.Current.CancellationToken);
        var chunks = SseEvents.Chunks(await SseEvents.ReadDataAsync(response));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.All(chunks, c => Assert.Equal("gpt-test", (string?)c["modelVersion"]));
        Assert.Equal(["Hel", "lo", ""], chunks.Select(c => (string?)c["candidates"]![0]!["content"]!["parts"]![0]!["text"]));
        Assert.Equal("STOP", (string?)chunks[^1]["candidates"]![0]!["finishReason"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"promptTokenCount":7,"candidatesTokenCount":2,"totalTokenCount":9}"""), chunks[^1]["usageMetadata"]));
        Assert.True((bool?)openai.LastRequest.Json["stream"]);
    }

    [Fact]
    public async Task Streams_sse_chunks_from_an_anthropic_upstream()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai, config => GatewayInstance.AddAnthropic(config, anthropic));
        anthropic.EnqueueSse(AnthropicAnswers.TextStream("Bon", "jour"));
        using var http = GoogleClient(gateway);

        using var response = await http.PostAsync("/v1beta/models/claude-test:streamGenerateContent?alt=sse",
            Requests.Json("""{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":64}}"""), TestContext.Current.CancellationToken);
        var chunks = SseEvents.Chunks(await SseEvents.ReadDataAsync(response));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bonjour", string.Concat(chunks.Select(c => (string?)c["candidates"]![0]!["content"]!["parts"]![0]!["text"])));
        Assert.All(chunks, c => Assert.Equal("claude-test", (string?)c["modelVersion"]));
        Assert.Equal("STOP", (string?)chunks[^1]["candidates"]![0]!["finishReason"]);
        Assert.Equal(12, (int?)chunks[^1]["usageMetadata"]!["promptTokenCount"]);
        var sent = anthropic.LastRequest.Json;
        Assert.True((bool?)sent["stream"], sent.ToJsonString());
        Assert.Equal(64, (int?)sent["max_tokens"]);
    }

    [Fact]
    public async Task Streams_a_progressively_written_json_array_without_alt_sse()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai);
        using var http = GoogleClient(gateway);

        using var response = await http.PostAsync("/v1beta/models/echo:streamGenerateContent",
            Requests.Json("""{"contents":[{"role":"user","parts":[{"text":"hello there"}]}]}"""), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var chunks = JsonNode.Parse(body)!.AsArray();
        Assert.True(chunks.Count > 2);
        Assert.Equal("Echo: hello there", string.Concat(chunks.Select(c => (string?)c!["candidates"]![0]!["content"]!["parts"]![0]!["text"])));
        Assert.Equal("STOP", (string?)chunks[^1]!["candidates"]![0]!["finishReason"]);
        Assert.True((int?)chunks[^1]!["usageMetadata"]!["candidatesTokenCount"] > 0);
    }

    [Fact]
    public async Task Ends_a_json_array_stream_with_an_error_element_when_the_upstream_fails()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai);
        openai.EnqueueSse([UpstreamAnswers.Chunk("""{"role":"assistant","content":"Hi"}"""), "data: " + UpstreamAnswers.LeakyError(openai)]);
        using var http = GoogleClient(gateway);

        using var response = await http.PostAsync("/v1beta/models/gpt-test:streamGenerateContent",
            Requests.Json("""{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"""), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        var chunks = JsonNode.Parse(body)!.AsArray();
        Assert.Equal("Hi", (string?)chunks[0]!["candidates"]![0]!["content"]!["parts"]![0]!["text"]);
        GeminiErrorAssert.Envelope(chunks[^1]!.ToJsonString(), 502, "UNAVAILABLE");
        Assert.DoesNotContain(chunks, c => c!["candidates"]?[0]?["finishReason"] is not null);
    }

    [Fact]
    public async Task Round_trips_a_function_call_through_an_anthropic_upstream()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai, config => GatewayInstance.AddAnthropic(config, anthropic));
        anthropic.EnqueueJson(AnthropicAnswers.Message("""[{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}}]""", stopReason: "tool_use"));
        anthropic.EnqueueJson(AnthropicAnswers.Text("It is 21C in Paris."));
        using var http = GoogleClient(gateway);
        const string question = """{"role":"user","parts":[{"text":"Weather in Paris?"}]}""";

        var first = await GenerateAsync(http, "claude-test", $$$"""{"contents":[{{{question}}}],{{{WeatherTool}}}}""");
        var modelTurn = first["candidates"]![0]!["content"]!.ToJsonString();
        var second = await GenerateAsync(http, "claude-test", $$$"""
            {"contents":[{{{question}}},{{{modelTurn}}},
              {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"temperature":21} }}]}],
             {{{WeatherTool}}}}
            """);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"role":"model","parts":[{"functionCall":{"id":"toolu_01A","name":"get_weather","args":{"city":"Paris"}}}]}
            """), first["candidates"]![0]!["content"]), first.ToJsonString());
        Assert.Equal("It is 21C in Paris.", (string?)second["candidates"]![0]!["content"]!["parts"]![0]!["text"]);
        var requests = anthropic.Requests.ToArray();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"name":"get_weather","description":"Weather for a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]
            """), requests[0].Json["tools"]), requests[0].BodyText);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"role":"user","content":[{"type":"text","text":"Weather in Paris?"}]},
             {"role":"assistant","content":[{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"{\"temperature\":21}"}]}]
            """), requests[1].Json["messages"]), requests[1].BodyText);
    }

    [Fact]
    public async Task Returns_two_parallel_function_calls_from_an_openai_upstream()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai);
        openai.EnqueueJson("""
            {"id":"chatcmpl-p1","object":"chat.completion","created":1700000000,"model":"gpt-upstream-2025","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
              {"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
              {"id":"call_b","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":20,"completion_tokens":10,"total_tokens":30}}
            """);
        using var http = GoogleClient(gateway);

        var answer = await GenerateAsync(http, "gpt-test", $$$"""{"contents":[{"role":"user","parts":[{"text":"Weather in Paris and Rome?"}]}],{{{WeatherTool}}}}""");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"functionCall":{"id":"call_a","name":"get_weather","args":{"city":"Paris"}}},{"functionCall":{"id":"call_b","name":"get_weather","args":{"city":"Rome"}}}]
            """), answer["candidates"]![0]!["content"]!["parts"]), answer.ToJsonString());
        Assert.Equal("STOP", (string?)answer["candidates"]![0]!["finishReason"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"type":"function","function":{"name":"get_weather","description":"Weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]
            """), openai.LastRequest.Json["tools"]), openai.LastRequest.BodyText);
    }

    [Fact]
    public async Task Streams_a_function_call_whole_when_its_arguments_arrive_in_many_deltas()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai);
        string[] pieces = ["{\"ci", "ty\":", " \"Pa", "ris\", ", "\"unit", "\": \"c", "\"}"];
        openai.EnqueueSse(
        [
            UpstreamAnswers.Chunk("""{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":""}}]}"""),
            .. pieces.Select(p => UpstreamAnswers.Chunk($$$"""{"tool_calls":[{"index":0,"function":{"arguments":{{{System.Text.Json.JsonSerializer.Serialize(p)}}}}}]}""")),
            UpstreamAnswers.Chunk("{}", "tool_calls"),
            UpstreamAnswers.UsageChunk(30, 12),
            "data: [DONE]",
        ]);
        using var http = GoogleClient(gateway);

        using var response = await http.PostAsync("/v1beta/models/gpt-test:streamGenerateContent?alt=sse",
            Requests.Json($$$"""{"contents":[{"role":"user","parts":[{"text":"Weather in Paris?"}]}],{{{WeatherTool}}}}"""), TestContext.Current.CancellationToken);
        var chunks = SseEvents.Chunks(await SseEvents.ReadDataAsync(response));

        var calls = chunks.SelectMany(c => c["candidates"]![0]!["content"]!["parts"]!.AsArray()).Where(p => p!["functionCall"] is not null).ToList();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"id":"call_abc","name":"get_weather","args":{"city":"Paris","unit":"c"}}"""), Assert.Single(calls)!["functionCall"]));
        Assert.Equal("STOP", (string?)chunks[^1]["candidates"]![0]!["finishReason"]);
        Assert.Equal(30, (int?)chunks[^1]["usageMetadata"]!["promptTokenCount"]);
    }

    [Fact]
    public async Task Returns_anthropic_thinking_with_a_thought_signature_that_comes_back_exactly()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai, config => GatewayInstance.AddAnthropic(config, anthropic));
        anthropic.EnqueueJson(AnthropicAnswers.Message($$$"""
            [{"type":"thinking","thinking":"I need the weather tool.","signature":"{{{AnthropicAnswers.Signature}}}"},
             {"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}}]
            """, stopReason: "tool_use"));
        anthropic.EnqueueJson(AnthropicAnswers.Text("21C."));
        using var http = GoogleClient(gateway);
        const string head = """
            "generationConfig":{"thinkingConfig":{"thinkingBudget":2048,"includeThoughts":true}},
            "contents":[{"role":"user","parts":[{"text":"Weather in Paris?"}]}
            """;

        var first = await GenerateAsync(http, "claude-test", $$$"""{{{{head}}}],{{{WeatherTool}}}}""");
        var modelTurn = first["candidates"]![0]!["content"]!.ToJsonString();
        await GenerateAsync(http, "claude-test", $$$"""
            {{{{head}}},{{{modelTurn}}},{"role":"user","parts":[{"functionResponse":{"id":"toolu_01A","name":"get_weather","response":{"temperature":21} }}]}],
             {{{WeatherTool}}}}
            """);

        var parts = first["candidates"]![0]!["content"]!["parts"]!.AsArray();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"text":"I need the weather tool.","thought":true}"""), parts[0]), parts.ToJsonString());
        Assert.StartsWith("sy1.anthropic.", (string?)parts[1]!["thoughtSignature"], StringComparison.Ordinal);
        Assert.Equal("toolu_01A", (string?)parts[1]!["functionCall"]!["id"]);
        var requests = anthropic.Requests.ToArray();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"enabled","budget_tokens":2048}"""), requests[0].Json["thinking"]), requests[0].BodyText);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$$"""
            {"role":"assistant","content":[
              {"type":"thinking","thinking":"I need the weather tool.","signature":"{{{AnthropicAnswers.Signature}}}"},
              {"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}}]}
            """), requests[1].Json["messages"]![1]), requests[1].BodyText);
    }

    [Fact]
    public async Task Sends_inline_image_data_to_an_openai_upstream_as_a_data_url()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai);
        openai.EnqueueJson(UpstreamAnswers.ChatCompletion("A pixel."));
        using var http = GoogleClient(gateway);

        var answer = await GenerateAsync(http, "gpt-test", $$$"""
            {"contents":[{"role":"user","parts":[{"inlineData":{"mimeType":"image/png","data":"{{{Pixel.Png}}}"}},{"text":"What is this?"}]}]}
            """);

        Assert.Equal("A pixel.", (string?)answer["candidates"]![0]!["content"]!["parts"]![0]!["text"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$$"""
            [{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,{{{Pixel.Png}}}"}},{"type":"text","text":"What is this?"}]}]
            """), openai.LastRequest.Json["messages"]), openai.LastRequest.BodyText);
    }

    [Fact]
    public async Task Sends_a_response_schema_to_an_openai_upstream_as_json_schema()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai);
        openai.EnqueueJson(UpstreamAnswers.ChatCompletion("""{"city":"Paris"}"""));
        using var http = GoogleClient(gateway);

        var answer = await GenerateAsync(http, "gpt-test", """
            {"contents":[{"role":"user","parts":[{"text":"Which city?"}]}],
             "generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"OBJECT","properties":{"city":{"type":"STRING"}},"required":["city"]}}}
            """);

        Assert.Equal("""{"city":"Paris"}""", (string?)answer["candidates"]![0]!["content"]!["parts"]![0]!["text"]);
        var format = openai.LastRequest.Json["response_format"];
        Assert.Equal("json_schema", (string?)format?["type"]);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""),
            format?["json_schema"]?["schema"]), openai.LastRequest.BodyText);
    }

    [Fact]
    public async Task Counts_tokens_for_echo_as_a_marked_estimate()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai);
        using var http = GoogleClient(gateway);

        using var plain = await http.PostAsync("/v1beta/models/echo:countTokens",
            Requests.Json("""{"contents":[{"role":"user","parts":[{"text":"count these words for me please"}]}]}"""), TestContext.Current.CancellationToken);
        using var wrapped = await http.PostAsync("/v1beta/models/echo:countTokens",
            Requests.Json("""{"generateContentRequest":{"model":"models/echo","contents":[{"role":"user","parts":[{"text":"count these words for me please"}]}]}}"""), TestContext.Current.CancellationToken);

        foreach (var response in new[] { plain, wrapped })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("true", response.Headers.GetValues("X-Token-Count-Estimated").Single());
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();
            Assert.Equal(["totalTokens"], body.Select(p => p.Key));
            Assert.True((int?)body["totalTokens"] > 0);
        }
    }

    [Fact]
    public async Task Answers_401_unauthenticated_for_a_bad_or_missing_key()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai);
        using var bad = gateway.HttpClient(key: null);
        bad.DefaultRequestHeaders.Add("x-goog-api-key", "sk-not-a-real-key-0000000000");
        using var missing = gateway.HttpClient(key: null);

        using var generate = await bad.PostAsync("/v1beta/models/echo:generateContent", Requests.Json("""{"contents":[{"parts":[{"text":"hi"}]}]}"""), TestContext.Current.CancellationToken);
        using var list = await bad.GetAsync("/v1beta/models", TestContext.Current.CancellationToken);
        using var anonymous = await missing.PostAsync("/v1beta/models/echo:streamGenerateContent?alt=sse", Requests.Json("""{"contents":[{"parts":[{"text":"hi"}]}]}"""), TestContext.Current.CancellationToken);

        await GeminiErrorAssert.ReadAsync(generate, HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        await GeminiErrorAssert.ReadAsync(list, HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        await GeminiErrorAssert.ReadAsync(anonymous, HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task Answers_404_not_found_for_an_unknown_model_or_method()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai);
        using var http = GoogleClient(gateway);

        using var generate = await http.PostAsync("/v1beta/models/no-such-model:generateContent", Requests.Json("""{"contents":[{"parts":[{"text":"hi"}]}]}"""), TestContext.Current.CancellationToken);
        using var get = await http.GetAsync("/v1beta/models/no-such-model", TestContext.Current.CancellationToken);
        using var method = await http.PostAsync("/v1beta/models/echo:predictLongRunning", Requests.Json("{}"), TestContext.Current.CancellationToken);

        await GeminiErrorAssert.ReadAsync(generate, HttpStatusCode.NotFound, "NOT_FOUND");
        await GeminiErrorAssert.ReadAsync(get, HttpStatusCode.NotFound, "NOT_FOUND");
        await GeminiErrorAssert.ReadAsync(method, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Answers_403_permission_denied_for_a_model_outside_the_key_allow_list()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai, config => GatewayInstance.AddRestrictedKey(config, "echo"));
        using var http = GoogleClient(gateway, GatewayInstance.RestrictedKey);

        using var response = await http.PostAsync("/v1beta/models/gpt-test:generateContent", Requests.Json("""{"contents":[{"parts":[{"text":"hi"}]}]}"""), TestContext.Current.CancellationToken);

        await GeminiErrorAssert.ReadAsync(response, HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        Assert.Empty(openai.Requests);
    }

    [Fact]
    public async Task Answers_429_resource_exhausted_with_the_upstream_retry_after()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai, GatewayInstance.NoRetries);
        openai.Default = (context, _) => FakeUpstream.WriteJsonAsync(context,
            """{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}""",
            429, new Dictionary<string, string> { ["Retry-After"] = "7" });
        using var http = GoogleClient(gateway);

        using var response = await http.PostAsync("/v1beta/models/gpt-test:generateContent", Requests.Json("""{"contents":[{"parts":[{"text":"hi"}]}]}"""), TestContext.Current.CancellationToken);

        await GeminiErrorAssert.ReadAsync(response, HttpStatusCode.TooManyRequests, "RESOURCE_EXHAUSTED");
        Assert.Equal("7", response.Headers.GetValues("Retry-After").Single());
    }

    [Fact]
    public async Task Refuses_google_search_for_an_upstream_without_native_search()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai);
        using var http = GoogleClient(gateway);

        using var response = await http.PostAsync("/v1beta/models/gpt-test:generateContent",
            Requests.Json("""{"contents":[{"parts":[{"text":"today's news?"}]}],"tools":[{"googleSearch":{}}]}"""), TestContext.Current.CancellationToken);

        var error = await GeminiErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "INVALID_ARGUMENT");
        Assert.Contains("googleSearch", (string?)error["message"], StringComparison.Ordinal);
        Assert.Contains("native search", (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(openai.Requests);
    }

    [Fact]
    public async Task Lists_the_models_a_key_may_use()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai, config => GatewayInstance.AddRestrictedKey(config, "echo", "embed-test"));
        using var restricted = GoogleClient(gateway, GatewayInstance.RestrictedKey);
        using var unrestricted = gateway.HttpClient(key: null);

        var listing = JsonNode.Parse(await restricted.GetStringAsync("/v1beta/models", TestContext.Current.CancellationToken))!;
        var all = JsonNode.Parse(await unrestricted.GetStringAsync($"/v1beta/models?key={GatewayInstance.UserKey}", TestContext.Current.CancellationToken))!;
        var echo = JsonNode.Parse(await restricted.GetStringAsync("/v1beta/models/echo", TestContext.Current.CancellationToken))!;
        using var hidden = await restricted.GetAsync("/v1beta/models/gpt-test", TestContext.Current.CancellationToken);

        var models = listing["models"]!.AsArray();
        Assert.Equal(["models/echo", "models/embed-test"], models.Select(m => (string?)m!["name"]).Order(StringComparer.Ordinal));
        Assert.Equal(["embedContent", "batchEmbedContents"], models.Single(m => (string?)m!["name"] == "models/embed-test")!["supportedGenerationMethods"]!.AsArray().Select(v => (string?)v));
        Assert.Equal(["models/echo", "models/embed-test", "models/gpt-test"], all["models"]!.AsArray().Select(m => (string?)m!["name"]).Order(StringComparer.Ordinal));
        Assert.Equal("models/echo", (string?)echo["name"]);
        Assert.Contains("generateContent", echo["supportedGenerationMethods"]!.AsArray().Select(v => (string?)v));
        await GeminiErrorAssert.ReadAsync(hidden, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Embeds_content_through_an_openai_upstream()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai);
        openai.Enqueue((context, request) => UpstreamAnswers.EmbeddingsAsync(context, request, [0.25f, -0.5f, 1f]));
        openai.Enqueue((context, _) => FakeUpstream.WriteJsonAsync(context, """
            {"object":"list","data":[{"object":"embedding","index":1,"embedding":[0.5,0.5]},{"object":"embedding","index":0,"embedding":[1,0]}],"model":"text-embedding-upstream-v2","usage":{"prompt_tokens":4,"total_tokens":4}}
            """));
        using var http = GoogleClient(gateway);

        var single = await PostJsonAsync(http, "/v1beta/models/embed-test:embedContent",
            """{"content":{"parts":[{"text":"hello"}]},"taskType":"RETRIEVAL_QUERY","outputDimensionality":3}""");
        var batch = await PostJsonAsync(http, "/v1beta/models/embed-test:batchEmbedContents", """
            {"requests":[{"model":"models/embed-test","content":{"parts":[{"text":"first"}]}},{"model":"models/embed-test","content":{"parts":[{"text":"second"}]}}]}
            """);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"embedding":{"values":[0.25,-0.5,1]}}"""), single), single.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"embeddings":[{"values":[1,0]},{"values":[0.5,0.5]}]}"""), batch), batch.ToJsonString());
        var requests = openai.Requests.ToArray();
        Assert.All(requests, r => Assert.Equal("/v1/embeddings", r.Path));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"model":"text-embedding-upstream","input":["hello"],"dimensions":3,"encoding_format":"float"}"""), requests[0].Json), requests[0].BodyText);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"model":"text-embedding-upstream","input":["first","second"],"encoding_format":"float"}"""), requests[1].Json), requests[1].BodyText);
    }

    [Fact]
    public async Task Refuses_a_chat_model_on_embed_content_naming_the_right_method()
    {
        await using var openai = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(openai);
        using var http = GoogleClient(gateway);

        using var embedChat = await http.PostAsync("/v1beta/models/gpt-test:embedContent", Requests.Json("""{"content":{"parts":[{"text":"hi"}]}}"""), TestContext.Current.CancellationToken);
        using var generateEmbedding = await http.PostAsync("/v1beta/models/embed-test:generateContent", Requests.Json("""{"contents":[{"parts":[{"text":"hi"}]}]}"""), TestContext.Current.CancellationToken);

        var first = await GeminiErrorAssert.ReadAsync(embedChat, HttpStatusCode.BadRequest, "INVALID_ARGUMENT");
        var second = await GeminiErrorAssert.ReadAsync(generateEmbedding, HttpStatusCode.BadRequest, "INVALID_ARGUMENT");
        Assert.Contains("generateContent", (string?)first["message"], StringComparison.Ordinal);
        Assert.Contains("embedContent", (string?)second["message"], StringComparison.Ordinal);
        Assert.Empty(openai.Requests);
    }

    /// <summary>A client shaped like the Google GenAI SDKs: the key in x-goog-api-key, their client header, no bearer token.</summary>
    private static HttpClient GoogleClient(GatewayInstance gateway, string key = GatewayInstance.UserKey)
    {
        var http = gateway.HttpClient(key: null);
        http.DefaultRequestHeaders.Add("x-goog-api-key", key);
        http.DefaultRequestHeaders.Add("x-goog-api-client", "google-genai-sdk/1.30.0 gl-python/3.12.3");
        return http;
    }

    private static Task<JsonNode> GenerateAsync(HttpClient http, string model, string body) =>
        PostJsonAsync(http, $"/v1beta/models/{model}:generateContent", body);

    private static async Task<JsonNode> PostJsonAsync(HttpClient http, string path, string body)
    {
        using var response = await http.PostAsync(path, Requests.Json(body), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }
}
