using System.ClientModel;
using System.Net;
using System.Text.Json.Nodes;
using Anthropic.Models.Messages;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Forwarding;

/// <summary>
/// Gemini upstreams: the official OpenAI SDK against a fake that speaks Gemini's real wire format
/// (translation), and Gemini-shaped clients against it (passthrough).
/// </summary>
public sealed class GeminiUpstreamTests
{
    private static readonly BinaryData WeatherParameters = BinaryData.FromString(
        """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""");

    private static readonly BinaryData TimeParameters = BinaryData.FromString(
        """{"type":"object","properties":{"zone":{"type":"string"}},"required":["zone"]}""");

    [Fact]
    public async Task Completes_a_chat_with_system_instruction_and_generation_config()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream);
        upstream.EnqueueJson(GeminiAnswers.Text("Bonjour", promptTokens: 9, candidateTokens: 3));
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 100, Temperature = 0.5f, StopSequences = { "END" } };

        var completion = (await client.CompleteChatAsync([new SystemChatMessage("be brief"), new UserChatMessage("hello")], options, TestContext.Current.CancellationToken)).Value;

        Assert.Equal("Bonjour", completion.Content[0].Text);
        Assert.Equal("gemini-test", completion.Model);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(9, completion.Usage.InputTokenCount);
        Assert.Equal(3, completion.Usage.OutputTokenCount);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1beta/models/gemini-upstream:generateContent", sent.Path);
        Assert.Equal("", sent.Query);
        Assert.Equal(GatewayInstance.UpstreamKey, sent.Header("x-goog-api-key"));
        Assert.Null(sent.Header("authorization"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"contents":[{"role":"user","parts":[{"text":"hello"}]}],
             "systemInstruction":{"parts":[{"text":"be brief"}]},
             "generationConfig":{"maxOutputTokens":100,"temperature":0.5,"stopSequences":["END"]}}
            """), sent.Json), sent.BodyText);
    }

    [Fact]
    public async Task Streams_a_chat_from_sse_chunks()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream);
        upstream.EnqueueSse(GeminiAnswers.TextStream("Bon", "jour", " !"));
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");

        var pieces = new List<string>();
        var models = new HashSet<string>();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("hello")], cancellationToken: TestContext.Current.CancellationToken))
        {
            pieces.AddRange(update.ContentUpdate.Select(p => p.Text).Where(t => t.Length > 0));
            models.Add(update.Model);
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.Equal(["Bon", "jour", " !"], pieces);
        Assert.Equal(["gemini-test"], models);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.Equal(8, usage?.InputTokenCount);
        Assert.Equal(3, usage?.OutputTokenCount);
        var sent = upstream.LastRequest;
        Assert.Equal("/v1beta/models/gemini-upstream:streamGenerateContent", sent.Path);
        Assert.Equal("?alt=sse", sent.Query);
    }

    [Fact]
    public async Task Round_trips_a_function_call_with_a_synthesized_id()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream);
        upstream.EnqueueJson(GeminiAnswers.Response("""[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]"""));
        upstream.EnqueueJson(GeminiAnswers.Text("It is sunny in Paris."));
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");
        var options = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather for a city", WeatherParameters) } };
        List<ChatMessage> messages = [new UserChatMessage("What is the weather in Paris?")];

        var first = (await client.CompleteChatAsync(messages, options, TestContext.Current.CancellationToken)).Value;
        var call = Assert.Single(first.ToolCalls);
        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, "sunny, 21C"));
        var second = (await client.CompleteChatAsync(messages, options, TestContext.Current.CancellationToken)).Value;

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Matches("^call_[0-9a-f]{24}$", call.Id);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("""{"city":"Paris"}""", call.FunctionArguments.ToString());
        Assert.Equal("It is sunny in Paris.", second.Content[0].Text);
        var requests = upstream.Requests.ToArray();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"functionDeclarations":[{"name":"get_weather","description":"Weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]}]
            """), requests[0].Json["tools"]), requests[0].BodyText);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"role":"user","parts":[{"text":"What is the weather in Paris?"}]},
             {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},
             {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"result":"sunny, 21C"}}}]}]
            """), requests[1].Json["contents"]), requests[1].BodyText);
    }

    [Fact]
    public async Task Round_trips_two_parallel_function_calls()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream);
        upstream.EnqueueJson(GeminiAnswers.Response("""
            [{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}},{"functionCall":{"name":"get_time","args":{"zone":"CET"}}}]
            """));
        upstream.EnqueueJson(GeminiAnswers.Text("Sunny, and it is noon."));
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");
        var options = new ChatCompletionOptions
        {
            Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather", WeatherParameters), ChatTool.CreateFunctionTool("get_time", "Time", TimeParameters) },
        };
        List<ChatMessage> messages = [new UserChatMessage("Weather and time in Paris?")];

        var first = (await client.CompleteChatAsync(messages, options, TestContext.Current.CancellationToken)).Value;
        messages.Add(new AssistantChatMessage(first));
        messages.AddRange(first.ToolCalls.Select(c => new ToolChatMessage(c.Id, c.FunctionName == "get_weather" ? """{"sky":"clear"}""" : "12:00")));
        await client.CompleteChatAsync(messages, options, TestContext.Current.CancellationToken);

        Assert.Equal(["get_weather", "get_time"], first.ToolCalls.Select(c => c.FunctionName));
        Assert.Equal(["""{"city":"Paris"}""", """{"zone":"CET"}"""], first.ToolCalls.Select(c => c.FunctionArguments.ToString()));
        Assert.Equal(2, first.ToolCalls.Select(c => c.Id).Distinct().Count());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"sky":"clear"}}},{"functionResponse":{"name":"get_time","response":{"result":"12:00"}}}]}
            """), upstream.LastRequest.Json["contents"]![2]), upstream.LastRequest.BodyText);
    }

    [Fact]
    public async Task Streams_whole_function_calls_as_openai_tool_call_deltas()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream);
        upstream.EnqueueSse(
        [
            GeminiAnswers.Chunk("""[{"text":"Checking both."}]"""),
            GeminiAnswers.Chunk("""[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}},{"functionCall":{"name":"get_time","args":{"zone":"CET"}}}]"""),
            GeminiAnswers.Chunk("""[{"text":""}]""", "STOP", candidateTokens: 20),
        ]);
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");
        var options = new ChatCompletionOptions
        {
            Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather", WeatherParameters), ChatTool.CreateFunctionTool("get_time", "Time", TimeParameters) },
        };

        var text = "";
        var calls = new SortedDictionary<int, (string? Id, string? Name, string Arguments)>();
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("weather and time?")], options, TestContext.Current.CancellationToken))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
            foreach (var call in update.ToolCallUpdates)
            {
                var (id, name, arguments) = calls.GetValueOrDefault(call.Index, (null, null, ""));
                calls[call.Index] = (id ?? call.ToolCallId, name ?? call.FunctionName, arguments + call.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal("Checking both.", text);
        Assert.Equal([0, 1], calls.Keys);
        Assert.Equal(("get_weather", "{\"city\":\"Paris\"}"), (calls[0].Name, calls[0].Arguments));
        Assert.Equal(("get_time", "{\"zone\":\"CET\"}"), (calls[1].Name, calls[1].Arguments));
        Assert.All(calls.Values, c => Assert.Matches("^call_[0-9a-f]{24}$", c.Id));
        Assert.NotEqual(calls[0].Id, calls[1].Id);
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
    }

    [Fact]
    public async Task Returns_a_thought_signature_on_the_function_call_it_came_with()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream);
        upstream.EnqueueJson(GeminiAnswers.Response($$$"""
            [{"text":"The user wants the weather.","thought":true},
             {"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"{{{GeminiAnswers.ThoughtSignature}}}"}]
            """, thoughtTokens: 12));
        upstream.EnqueueJson(GeminiAnswers.Text("Sunny."));
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");
        var options = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather", WeatherParameters) } };
        List<ChatMessage> messages = [new UserChatMessage("Weather in Paris?")];

        var first = await client.CompleteChatAsync(messages, options, TestContext.Current.CancellationToken);
        var answer = JsonNode.Parse(first.GetRawResponse().Content.ToString())!["choices"]![0]!["message"]!;
        var assistant = new AssistantChatMessage(first.Value);
        // thinking_blocks is not in the SDK's model; its JSON patch is how a client sends it back.
#pragma warning disable SCME0001
        assistant.Patch.Set("$.thinking_blocks"u8, BinaryData.FromString(answer["thinking_blocks"]!.ToJsonString()));
#pragma warning restore SCME0001
        messages.Add(assistant);
        messages.Add(new ToolChatMessage(first.Value.ToolCalls[0].Id, "sunny"));
        await client.CompleteChatAsync(messages, options, TestContext.Current.CancellationToken);

        Assert.Equal("The user wants the weather.", (string?)answer["reasoning_content"]);
        Assert.Equal(12, first.Value.Usage.OutputTokenDetails.ReasoningTokenCount);
        var block = Assert.Single(answer["thinking_blocks"]!.AsArray())!;
        Assert.StartsWith("sy1.gemini.", (string?)block["signature"], StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$$"""
            {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"{{{GeminiAnswers.ThoughtSignature}}}"}]}
            """), upstream.LastRequest.Json["contents"]![1]), upstream.LastRequest.BodyText);
    }

    [Fact]
    public async Task Sends_a_base64_image_as_inline_data()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream);
        upstream.EnqueueJson(GeminiAnswers.Text("A pixel."));
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");

        var completion = (await client.CompleteChatAsync(
            [new UserChatMessage(ChatMessageContentPart.CreateTextPart("What is this?"), ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(Pixel.Bytes), "image/png"))],
            cancellationToken: TestContext.Current.CancellationToken)).Value;

        Assert.Equal("A pixel.", completion.Content[0].Text);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$$"""
            [{"role":"user","parts":[{"text":"What is this?"},{"inlineData":{"mimeType":"image/png","data":"{{{Pixel.Png}}}"}}]}]
            """), upstream.LastRequest.Json["contents"]), upstream.LastRequest.BodyText);
    }

    [Fact]
    public async Task Sends_json_schema_output_as_a_cleaned_response_schema()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream);
        upstream.EnqueueJson(GeminiAnswers.Text("""{"city":"Paris","temperature":21,"links":[]}"""));
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");
        const string schema = """
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false,
             "properties":{"city":{"type":"string"},"temperature":{"type":"number","exclusiveMinimum":-300},
                           "links":{"type":"array","items":{"type":"object","additionalProperties":false,"properties":{"url":{"type":"string","format":"uri"}}}}},
             "required":["city","temperature","links"]}
            """;
        var options = new ChatCompletionOptions { ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("weather", BinaryData.FromString(schema)) };

        var completion = (await client.CompleteChatAsync([new UserChatMessage("Weather in Paris as JSON")], options, TestContext.Current.CancellationToken)).Value;

        Assert.Equal("""{"city":"Paris","temperature":21,"links":[]}""", completion.Content[0].Text);
        var config = upstream.LastRequest.Json["generationConfig"]!;
        Assert.Equal("application/json", (string?)config["responseMimeType"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"type":"object",
             "properties":{"city":{"type":"string"},"temperature":{"type":"number"},
                           "links":{"type":"array","items":{"type":"object","properties":{"url":{"type":"string"}}}}},
             "required":["city","temperature","links"]}
            """), config["responseSchema"]), config.ToJsonString());
    }

    [Fact]
    public async Task Embeds_through_batch_embed_contents_for_the_openai_sdk()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream);
        upstream.EnqueueJson("""{"embeddings":[{"values":[0.25,-0.5,1]},{"values":[0.5,0,-1]}]}""");
        var client = gateway.OpenAIClient().GetEmbeddingClient("gemini-embed");

        var embeddings = (await client.GenerateEmbeddingsAsync(["hello", "world"], cancellationToken: TestContext.Current.CancellationToken)).Value;

        Assert.Equal("gemini-embed", embeddings.Model);
        Assert.Equal([0.25f, -0.5f, 1f], embeddings[0].ToFloats().ToArray());
        Assert.Equal([0.5f, 0f, -1f], embeddings[1].ToFloats().ToArray());
        Assert.True(embeddings.Usage.InputTokenCount > 0);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1beta/models/text-embedding-up:batchEmbedContents", sent.Path);
        Assert.Equal(GatewayInstance.UpstreamKey, sent.Header("x-goog-api-key"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"requests":[{"model":"models/text-embedding-up","content":{"parts":[{"text":"hello"}]}},
                         {"model":"models/text-embedding-up","content":{"parts":[{"text":"world"}]}}]}
            """), sent.Json), sent.BodyText);
    }

    [Fact]
    public async Task Passes_an_upstream_resource_exhausted_on_as_a_429()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream, GatewayInstance.NoRetries);
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context,
            GeminiAnswers.Error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
            429, new Dictionary<string, string> { ["Retry-After"] = "11" });
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");

        var exception = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(429, exception.Status);
        Assert.True(exception.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.Equal("11", retryAfter);
        OpenAIErrorAssert.Envelope(exception.GetRawResponse()!.Content.ToString(), "rate_limit_error", "rate_limit_exceeded");
    }

    [Fact]
    public async Task Sends_the_google_search_tool_natively_where_the_provider_has_search()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream, config => config["providers"]![0]!["search"] = true);
        upstream.EnqueueJson(GeminiAnswers.Text("Today's news."));
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");
        var options = new ChatCompletionOptions
        {
            Tools = { ChatTool.CreateFunctionTool("googleSearch", "Search the web"), ChatTool.CreateFunctionTool("get_weather", "Weather", WeatherParameters) },
        };

        var completion = (await client.CompleteChatAsync([new UserChatMessage("news?")], options, TestContext.Current.CancellationToken)).Value;

        Assert.Equal("Today's news.", completion.Content[0].Text);
        var tools = upstream.LastRequest.Json["tools"]!.AsArray();
        Assert.Equal(2, tools.Count);
        Assert.Equal(["get_weather"], tools[0]!["functionDeclarations"]!.AsArray().Select(f => (string?)f!["name"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"google_search":{}}"""), tools[1]));
    }

    [Fact]
    public async Task Streams_gemini_chunks_to_the_official_anthropic_sdk()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream);
        upstream.EnqueueSse(GeminiAnswers.TextStream("Bon", "jour"));
        using var client = gateway.AnthropicClient();

        var events = await AnthropicEvents.ReadAsync(client, new MessageCreateParams
        {
            Model = "gemini-test",
            MaxTokens = 300,
            System = "be brief",
            Messages = [new UserMessageParam("hello")],
        });

        Assert.Equal(
            ["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            AnthropicEvents.Types(events));
        Assert.Equal("gemini-test", (string?)events[0]["message"]!["model"]);
        Assert.Equal(["Bon", "jour"], AnthropicEvents.Deltas(events, 0, "text"));
        Assert.Equal("end_turn", (string?)events[5]["delta"]!["stop_reason"]);
        Assert.Equal(2, (int?)events[5]["usage"]!["output_tokens"]);
        var sent = upstream.LastRequest;
        Assert.Equal("/v1beta/models/gemini-upstream:streamGenerateContent", sent.Path);
        Assert.Equal("?alt=sse", sent.Query);
        Assert.Null(sent.Header("anthropic-version"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"contents":[{"role":"user","parts":[{"text":"hello"}]}],"systemInstruction":{"parts":[{"text":"be brief"}]},"generationConfig":{"maxOutputTokens":300}}
            """), sent.Json), sent.BodyText);
    }

    [Fact]
    public async Task Round_trips_a_thought_signature_through_the_official_anthropic_sdk()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream);
        upstream.EnqueueJson(GeminiAnswers.Response($$$"""
            [{"text":"The user wants the weather.","thought":true},
             {"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"{{{GeminiAnswers.ThoughtSignature}}}"}]
            """));
        upstream.EnqueueJson(GeminiAnswers.Text("Sunny."));
        using var client = gateway.AnthropicClient();
        List<MessageParam> messages = [new UserMessageParam("Weather in Paris?")];

        var first = await client.Messages.Create(AnthropicRequest(messages), TestContext.Current.CancellationToken);
        var thoughts = first.Content.Select(b => b.TryPickThinking(out var thinking) ? thinking : null).OfType<ThinkingBlock>().ToList();
        var call = first.Content.Select(b => b.TryPickToolUse(out var toolUse) ? toolUse : null).OfType<ToolUseBlock>().Single();
        List<ContentBlockParam> returned = [.. thoughts.Select(t => (ContentBlockParam)new ThinkingBlockParam { Thinking = t.Thinking, Signature = t.Signature })];
        returned.Add(new ToolUseBlockParam { ID = call.ID, Name = call.Name, Input = call.Input });
        messages.Add(new AssistantMessageParam(returned));
        messages.Add(new UserMessageParam(new List<ContentBlockParam> { new ToolResultBlockParam(call.ID) { Content = "sunny" } }));
        var second = await client.Messages.Create(AnthropicRequest(messages), TestContext.Current.CancellationToken);

        Assert.Equal("tool_use", first.StopReason?.Raw());
        Assert.Contains(thoughts, t => t.Thinking == "The user wants the weather.");
        Assert.Contains(thoughts, t => t.Signature.StartsWith("sy1.gemini.", StringComparison.Ordinal));
        Assert.True(Assert.Single(second.Content).TryPickText(out var text));
        Assert.Equal("Sunny.", text.Text);
        var contents = upstream.LastRequest.Json["contents"]!.AsArray();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$$"""
            [{"role":"user","parts":[{"text":"Weather in Paris?"}]},
             {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"{{{GeminiAnswers.ThoughtSignature}}}"}]},
             {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"result":"sunny"}} }]}]
            """), contents), contents.ToJsonString());
    }

    [Fact]
    public async Task Passthrough_sends_the_client_body_unchanged_and_rewrites_the_model_version()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream);
        const string answer = """
            {"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"finishReason":"STOP","avgLogprobs":-0.12,"index":0}],
             "usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":1,"totalTokenCount":6,"promptTokensDetails":[{"modality":"TEXT","tokenCount":5}]},
             "modelVersion":"gemini-upstream-001","responseId":"resp-up-1","createTime":"2025-01-01T00:00:00Z"}
            """;
        upstream.EnqueueJson(answer);
        using var http = gateway.HttpClient(key: null);
        http.DefaultRequestHeaders.Add("x-goog-api-key", GatewayInstance.UserKey);
        const string request = """
            { "contents": [ {"role":"user","parts":[{"text":"hi"}]} ],
              "cachedContent": "cachedContents/abc123",
              "safetySettings": [{"category":"HARM_CATEGORY_HATE_SPEECH","threshold":"BLOCK_ONLY_HIGH"}],
              "generationConfig": {"thinkingConfig":{"thinkingBudget":0},"mediaResolution":"MEDIA_RESOLUTION_LOW"},
              "labels": {"team":"search"} }
            """;

        using var response = await http.PostAsync("/v1beta/models/gemini-test:generateContent", Requests.Json(request), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = upstream.LastRequest;
        Assert.Equal(FakeUpstream.Utf8(request), sent.Body);
        Assert.Equal("/v1beta/models/gemini-upstream:generateContent", sent.Path);
        Assert.Equal("", sent.Query);
        Assert.Equal(GatewayInstance.UpstreamKey, sent.Header("x-goog-api-key"));
        var expected = RawJson.TopLevel(answer).Select(p => p.Key == "modelVersion" ? new KeyValuePair<string, string>("modelVersion", "\"gemini-test\"") : p);
        Assert.Equal(expected, RawJson.TopLevel(body));
    }

    [Fact]
    public async Task Passthrough_streams_sse_chunks_with_the_model_version_rewritten()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream);
        upstream.EnqueueSse(GeminiAnswers.TextStream("Bon", "jour"));
        using var http = gateway.HttpClient(key: null);

        using var response = await http.PostAsync($"/v1beta/models/gemini-test:streamGenerateContent?alt=sse&key={GatewayInstance.UserKey}",
            Requests.Json("""{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"""), TestContext.Current.CancellationToken);
        var chunks = SseEvents.Chunks(await SseEvents.ReadDataAsync(response));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(2, chunks.Count);
        Assert.All(chunks, c => Assert.Equal("gemini-test", (string?)c["modelVersion"]));
        Assert.Equal("Bonjour", string.Concat(chunks.Select(c => (string?)c["candidates"]![0]!["content"]!["parts"]![0]!["text"])));
        Assert.Equal("STOP", (string?)chunks[^1]["candidates"]![0]!["finishReason"]);
        Assert.Equal("?alt=sse", upstream.LastRequest.Query);
        Assert.Equal("/v1beta/models/gemini-upstream:streamGenerateContent", upstream.LastRequest.Path);
    }

    [Fact]
    public async Task Passthrough_streams_a_json_array_when_the_client_did_not_ask_for_sse()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream);
        upstream.EnqueueSse(GeminiAnswers.TextStream("Bon", "jour"));
        using var http = gateway.HttpClient(key: null);
        http.DefaultRequestHeaders.Add("x-goog-api-key", GatewayInstance.UserKey);

        using var response = await http.PostAsync("/v1beta/models/gemini-test:streamGenerateContent",
            Requests.Json("""{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"""), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var chunks = JsonNode.Parse(body)!.AsArray();
        Assert.Equal(2, chunks.Count);
        Assert.All(chunks, c => Assert.Equal("gemini-test", (string?)c!["modelVersion"]));
        Assert.Equal("Bonjour", string.Concat(chunks.Select(c => (string?)c!["candidates"]![0]!["content"]!["parts"]![0]!["text"])));
        Assert.Equal("?alt=sse", upstream.LastRequest.Query);
    }

    private static MessageCreateParams AnthropicRequest(List<MessageParam> messages) => new()
    {
        Model = "gemini-test",
        MaxTokens = 500,
        Messages = messages,
        Tools = [AnthropicTools.Weather()],
    };
}
