using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Surfaces;

/// <summary>The OpenAI routes as the official .NET SDK and raw HTTP clients see them.</summary>
public sealed class OpenAISurfaceTests
{
    private static readonly BinaryData WeatherParameters = BinaryData.FromString(
        """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""");

    [Fact]
    public async Task Echo_streams_a_chat_to_the_official_sdk()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var client = gateway.OpenAIClient().GetChatClient("echo");

        var text = "";
        var models = new HashSet<string>();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("hello there")]))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
            models.Add(update.Model);
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.Equal("Echo: hello there", text);
        Assert.Equal(["echo"], models);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.True(usage?.OutputTokenCount > 0);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Passthrough_completes_a_chat_for_the_official_sdk()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("Hi from upstream", promptTokens: 11, completionTokens: 4));
        var client = gateway.OpenAIClient().GetChatClient("gpt-test");

        var completion = (await client.CompleteChatAsync([new SystemChatMessage("be brief"), new UserChatMessage("hello")])).Value;

        Assert.Equal("Hi from upstream", completion.Content[0].Text);
        Assert.Equal("gpt-test", completion.Model);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(11, completion.Usage.InputTokenCount);
        Assert.Equal(4, completion.Usage.OutputTokenCount);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/chat/completions", sent.Path);
        Assert.Equal("gpt-upstream", (string?)sent.Json["model"]);
        Assert.Equal(["system", "user"], sent.Json["messages"]!.AsArray().Select(m => (string?)m!["role"]));
    }

    [Fact]
    public async Task Echo_round_trips_a_tool_call_with_the_official_sdk()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var client = gateway.OpenAIClient().GetChatClient("echo");
        var options = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather for a city", WeatherParameters) } };
        List<ChatMessage> messages = [new UserChatMessage("please call get_weather for Paris")];

        var first = (await client.CompleteChatAsync(messages, options, cancellationToken: TestContext.Current.CancellationToken)).Value;
        var call = Assert.Single(first.ToolCalls);
        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, "sunny, 21C"));
        var second = (await client.CompleteChatAsync(messages, options, cancellationToken: TestContext.Current.CancellationToken)).Value;

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.False(string.IsNullOrEmpty(call.Id));
        using (var arguments = JsonDocument.Parse(call.FunctionArguments))
        {
            Assert.Equal(JsonValueKind.String, arguments.RootElement.GetProperty("city").ValueKind);
        }

        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        Assert.Empty(second.ToolCalls);
        Assert.Contains("sunny, 21C", second.Content[0].Text, StringComparison.Ordinal);
        Assert.Equal("echo", second.Model);
    }

    [Fact]
    public async Task Echo_streams_a_tool_call_to_the_official_sdk()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var client = gateway.OpenAIClient().GetChatClient("echo");
        var options = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather for a city", WeatherParameters) } };

        string? id = null;
        string? name = null;
        var arguments = "";
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("call get_weather please")], options, cancellationToken: TestContext.Current.CancellationToken))
        {
            foreach (var call in update.ToolCallUpdates)
            {
                Assert.Equal(0, call.Index);
                id ??= call.ToolCallId;
                name ??= call.FunctionName;
                arguments += call.FunctionArgumentsUpdate?.ToString();
            }

            finish ??= update.FinishReason;
        }

        Assert.StartsWith("call_", id, StringComparison.Ordinal);
        Assert.Equal("get_weather", name);
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(arguments).RootElement.ValueKind);
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
    }

    [Fact]
    public async Task Passthrough_round_trips_a_tool_call_with_the_official_sdk()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson("""
            {"id":"chatcmpl-t1","object":"chat.completion","created":1700000000,"model":"gpt-upstream-2025","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":20,"completion_tokens":5,"total_tokens":25}}
            """);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("It is sunny in Paris."));
        var client = gateway.OpenAIClient().GetChatClient("gpt-test");
        var options = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather for a city", WeatherParameters) } };
        List<ChatMessage> messages = [new UserChatMessage("What is the weather in Paris?")];

        var first = (await client.CompleteChatAsync(messages, options, cancellationToken: TestContext.Current.CancellationToken)).Value;
        var call = Assert.Single(first.ToolCalls);
        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, "sunny, 21C"));
        var second = (await client.CompleteChatAsync(messages, options, cancellationToken: TestContext.Current.CancellationToken)).Value;

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Equal("call_abc", call.Id);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("""{"city":"Paris"}""", call.FunctionArguments.ToString());
        Assert.Equal("It is sunny in Paris.", second.Content[0].Text);
        Assert.Equal("gpt-test", second.Model);
        var requests = upstream.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal("get_weather", (string?)requests[0].Json["tools"]![0]!["function"]!["name"]);
        var sentMessages = requests[1].Json["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "tool"], sentMessages.Select(m => (string?)m!["role"]));
        var sentCall = sentMessages[1]!["tool_calls"]![0]!;
        Assert.Equal("call_abc", (string?)sentCall["id"]);
        Assert.Equal("function", (string?)sentCall["type"]);
        Assert.Equal("get_weather", (string?)sentCall["function"]!["name"]);
        Assert.Equal("""{"city":"Paris"}""", (string?)sentCall["function"]!["arguments"]);
        Assert.Equal("call_abc", (string?)sentMessages[2]!["tool_call_id"]);
        Assert.Equal("sunny, 21C", Requests.TextOf(sentMessages[2]!["content"]));
    }

    [Fact]
    public async Task Embeddings_reach_the_upstream_under_its_model_name()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.Enqueue((context, request) => UpstreamAnswers.EmbeddingsAsync(context, request, [0.25f, -0.5f, 1f]));
        var client = gateway.OpenAIClient().GetEmbeddingClient("embed-test");

        var embeddings = (await client.GenerateEmbeddingsAsync(["hello world"], cancellationToken: TestContext.Current.CancellationToken)).Value;

        Assert.Equal("embed-test", embeddings.Model);
        Assert.Equal([0.25f, -0.5f, 1f], Assert.Single(embeddings).ToFloats().ToArray());
        Assert.Equal(2, embeddings.Usage.InputTokenCount);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/embeddings", sent.Path);
        Assert.Equal("text-embedding-upstream", (string?)sent.Json["model"]);
        Assert.Equal("hello world", Requests.TextOf(sent.Json["input"]));
    }

    [Fact]
    public async Task Lists_every_model_to_an_unrestricted_key()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var client = gateway.OpenAIClient().GetOpenAIModelClient();

        var models = (await client.GetModelsAsync(cancellationToken: TestContext.Current.CancellationToken)).Value;

        Assert.Equal(["echo", "embed-test", "gpt-test"], models.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.Equal("oai", models.Single(m => m.Id == "gpt-test").OwnedBy);
    }

    [Fact]
    public async Task Gets_one_model_by_id()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var client = gateway.OpenAIClient().GetOpenAIModelClient();

        var model = (await client.GetModelAsync("embed-test", cancellationToken: TestContext.Current.CancellationToken)).Value;

        Assert.Equal("embed-test", model.Id);
        Assert.Equal("oai", model.OwnedBy);
        Assert.True(model.CreatedAt > DateTimeOffset.UnixEpoch);
    }

    [Fact]
    public async Task Lists_exactly_the_models_a_restricted_key_may_use()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config => GatewayInstance.AddRestrictedKey(config, "echo", "embed-test"));
        using var http = gateway.HttpClient(GatewayInstance.RestrictedKey);

        var listing = await http.GetFromJsonAsync<JsonObject>("/v1/models", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("list", (string?)listing!["object"]);
        Assert.Equal(["echo", "embed-test"], listing["data"]!.AsArray().Select(m => (string?)m!["id"]).Order(StringComparer.Ordinal));
        Assert.All(listing["data"]!.AsArray(), m => Assert.Equal("model", (string?)m!["object"]));
    }

    [Fact]
    public async Task Hides_a_model_the_key_may_not_use()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config => GatewayInstance.AddRestrictedKey(config, "echo"));
        using var http = gateway.HttpClient(GatewayInstance.RestrictedKey);

        using var hidden = await http.GetAsync("/v1/models/gpt-test", cancellationToken: TestContext.Current.CancellationToken);
        using var missing = await http.GetAsync("/v1/models/no-such-model", cancellationToken: TestContext.Current.CancellationToken);
        using var allowed = await http.GetAsync("/v1/models/echo", cancellationToken: TestContext.Current.CancellationToken);

        var hiddenError = await OpenAIErrorAssert.ReadAsync(hidden, HttpStatusCode.NotFound, "not_found_error", "model_not_found");
        var missingError = await OpenAIErrorAssert.ReadAsync(missing, HttpStatusCode.NotFound, "not_found_error", "model_not_found");
        Assert.DoesNotContain("key", (string?)hiddenError["message"], StringComparison.OrdinalIgnoreCase);
        Assert.Equal("model", (string?)missingError["param"]);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("echo", (string?)(await allowed.Content.ReadFromJsonAsync<JsonObject>(cancellationToken: TestContext.Current.CancellationToken))!["id"]);
    }

    [Fact]
    public async Task Gets_a_model_whose_id_contains_slashes()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "meta-llama/Llama-3.1-8B-Instruct", ["provider"] = "oai" }));
        using var http = gateway.HttpClient();

        var model = await http.GetFromJsonAsync<JsonObject>("/v1/models/meta-llama/Llama-3.1-8B-Instruct", TestContext.Current.CancellationToken);

        Assert.Equal("meta-llama/Llama-3.1-8B-Instruct", (string?)model!["id"]);
        Assert.Equal("model", (string?)model["object"]);
    }

    [Fact]
    public async Task Official_sdk_raises_401_for_a_bad_key()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var client = gateway.OpenAIClient("sk-not-a-real-key-0000000000").GetChatClient("echo");

        var exception = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(401, exception.Status);
        OpenAIErrorAssert.Envelope(exception.GetRawResponse()!.Content.ToString(), "authentication_error", "invalid_api_key");
    }

    [Fact]
    public async Task Official_sdk_raises_403_for_a_model_outside_the_key_allow_list()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config => GatewayInstance.AddRestrictedKey(config, "echo"));
        var client = gateway.OpenAIClient(GatewayInstance.RestrictedKey).GetChatClient("gpt-test");

        var exception = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(403, exception.Status);
        OpenAIErrorAssert.Envelope(exception.GetRawResponse()!.Content.ToString(), "permission_error", "model_not_allowed");
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Official_sdk_raises_404_for_an_unknown_model()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var chat = gateway.OpenAIClient().GetChatClient("no-such-model");
        var models = gateway.OpenAIClient().GetOpenAIModelClient();

        var chatException = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));
        var modelException = await Assert.ThrowsAsync<ClientResultException>(() => models.GetModelAsync("no-such-model", cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(404, chatException.Status);
        Assert.Equal(404, modelException.Status);
        OpenAIErrorAssert.Envelope(chatException.GetRawResponse()!.Content.ToString(), "not_found_error", "model_not_found");
    }

    [Fact]
    public async Task Official_sdk_raises_429_with_the_upstream_retry_after()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, GatewayInstance.NoRetries);
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context,
            """{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}""",
            429, new Dictionary<string, string> { ["Retry-After"] = "7" });
        var client = gateway.OpenAIClient().GetChatClient("gpt-test");

        var exception = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(429, exception.Status);
        Assert.True(exception.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.Equal("7", retryAfter);
        OpenAIErrorAssert.Envelope(exception.GetRawResponse()!.Content.ToString(), "rate_limit_error", "rate_limit_exceeded");
    }

    [Fact]
    public async Task Official_sdk_raises_502_when_the_upstream_fails()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.LeakyError(upstream), 500);
        var client = gateway.OpenAIClient().GetChatClient("gpt-test");

        var exception = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(502, exception.Status);
        OpenAIErrorAssert.Envelope(exception.GetRawResponse()!.Content.ToString(), "server_error", "upstream_error");
    }

    [Fact]
    public async Task Serves_the_openai_routes_under_the_gemini_openai_prefix()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.Enqueue((context, request) => UpstreamAnswers.EmbeddingsAsync(context, request, [1f, 2f]));
        var client = gateway.OpenAIClient(prefix: "/v1beta/openai");

        var completion = (await client.GetChatClient("echo").CompleteChatAsync([new UserChatMessage("via gemini path")])).Value;
        var models = (await client.GetOpenAIModelClient().GetModelsAsync(cancellationToken: TestContext.Current.CancellationToken)).Value;
        var model = (await client.GetOpenAIModelClient().GetModelAsync("gpt-test", cancellationToken: TestContext.Current.CancellationToken)).Value;
        var embeddings = (await client.GetEmbeddingClient("embed-test").GenerateEmbeddingsAsync(["x"], cancellationToken: TestContext.Current.CancellationToken)).Value;

        Assert.Equal("Echo: via gemini path", completion.Content[0].Text);
        Assert.Equal(["echo", "embed-test", "gpt-test"], models.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.Equal("gpt-test", model.Id);
        Assert.Equal("embed-test", embeddings.Model);
        Assert.Equal("/v1/embeddings", Assert.Single(upstream.Requests).Path);
    }

    [Fact]
    public async Task Completions_answer_through_echo_as_a_text_completion()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/completions", Requests.Json("""{"model":"echo","prompt":"say this"}"""), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken: TestContext.Current.CancellationToken))!;
        Assert.Equal("text_completion", (string?)body["object"]);
        Assert.Equal("echo", (string?)body["model"]);
        Assert.Equal("Echo: say this", (string?)body["choices"]![0]!["text"]);
        Assert.Equal("stop", (string?)body["choices"]![0]!["finish_reason"]);
        Assert.True((int?)body["usage"]!["completion_tokens"] > 0);
    }

    [Fact]
    public async Task Completions_reach_an_openai_upstream_as_chat()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("completed text", promptTokens: 3, completionTokens: 2));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/completions", Requests.Json("""{"model":"gpt-test","prompt":"complete me","max_tokens":20}"""), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken: TestContext.Current.CancellationToken))!;
        Assert.Equal("text_completion", (string?)body["object"]);
        Assert.Equal("gpt-test", (string?)body["model"]);
        Assert.Equal("completed text", (string?)body["choices"]![0]!["text"]);
        Assert.Equal(3, (int?)body["usage"]!["prompt_tokens"]);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/chat/completions", sent.Path);
        Assert.Equal("gpt-upstream", (string?)sent.Json["model"]);
        Assert.Equal("complete me", Requests.TextOf(sent.Json["messages"]![0]!["content"]));
    }

    [Fact]
    public async Task Completions_refuse_to_stream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        using var echo = await http.PostAsync("/v1/completions", Requests.Json("""{"model":"echo","prompt":"x","stream":true}"""), cancellationToken: TestContext.Current.CancellationToken);
        using var passthrough = await http.PostAsync("/v1/completions", Requests.Json("""{"model":"gpt-test","prompt":"x","stream":true}"""), cancellationToken: TestContext.Current.CancellationToken);

        var echoError = await OpenAIErrorAssert.ReadAsync(echo, HttpStatusCode.BadRequest, "invalid_request_error", null);
        var passthroughError = await OpenAIErrorAssert.ReadAsync(passthrough, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Equal("stream", (string?)echoError["param"]);
        Assert.Equal("stream", (string?)passthroughError["param"]);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Echo_stream_carries_usage_on_the_finish_chunk_when_the_client_did_not_ask()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"echo","stream":true,"messages":[{"role":"user","content":"one two three"}]}"""), cancellationToken: TestContext.Current.CancellationToken);
        var data = await SseEvents.ReadDataAsync(response);

        var chunks = SseEvents.Chunks(data);
        Assert.Equal("[DONE]", data[^1]);
        Assert.All(chunks, c => Assert.NotEmpty(c["choices"]!.AsArray()));
        Assert.Equal("stop", (string?)chunks[^1]["choices"]![0]!["finish_reason"]);
        Assert.True((int?)chunks[^1]["usage"]?["total_tokens"] > 0);
        Assert.All(chunks.SkipLast(1), c => Assert.Null(c["usage"]));
    }

    [Fact]
    public async Task Echo_stream_sends_a_separate_usage_chunk_when_the_client_asked()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(
            """{"model":"echo","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"one two three"}]}"""), cancellationToken: TestContext.Current.CancellationToken);
        var data = await SseEvents.ReadDataAsync(response);

        var chunks = SseEvents.Chunks(data);
        Assert.Equal("[DONE]", data[^1]);
        Assert.Empty(chunks[^1]["choices"]!.AsArray());
        Assert.True((int?)chunks[^1]["usage"]?["total_tokens"] > 0);
        Assert.Equal("stop", (string?)chunks[^2]["choices"]![0]!["finish_reason"]);
        Assert.All(chunks.SkipLast(1), c => Assert.Null(c["usage"]));
    }
}
