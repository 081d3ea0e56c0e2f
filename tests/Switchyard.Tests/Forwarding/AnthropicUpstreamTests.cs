using System.ClientModel;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Forwarding;

/// <summary>
/// Anthropic upstreams: the official OpenAI SDK against a fake that speaks Anthropic's real wire
/// format (translation), and Anthropic clients against it (passthrough).
/// </summary>
public sealed class AnthropicUpstreamTests
{
    private static readonly BinaryData WeatherParameters = BinaryData.FromString(
        """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""");

    private static readonly BinaryData TimeParameters = BinaryData.FromString(
        """{"type":"object","properties":{"zone":{"type":"string"}}}""");

    [Fact]
    public async Task Completes_a_chat_with_the_system_prompt_folded_and_max_tokens_always_sent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        upstream.EnqueueJson(AnthropicAnswers.Text("Hello from Claude", inputTokens: 14, outputTokens: 5));
        var client = gateway.OpenAIClient().GetChatClient("claude-test");

        var completion = (await client.CompleteChatAsync(
            [new SystemChatMessage("be brief"), new UserChatMessage("hello"), new SystemChatMessage("and polite")],
            cancellationToken: TestContext.Current.CancellationToken)).Value;

        Assert.Equal("Hello from Claude", completion.Content[0].Text);
        Assert.Equal("claude-test", completion.Model);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(14, completion.Usage.InputTokenCount);
        Assert.Equal(5, completion.Usage.OutputTokenCount);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/messages", sent.Path);
        Assert.Equal(GatewayInstance.UpstreamKey, sent.Header("x-api-key"));
        Assert.Equal("2023-06-01", sent.Header("anthropic-version"));
        Assert.Null(sent.Header("authorization"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"model":"claude-upstream","max_tokens":4096,
             "system":[{"type":"text","text":"be brief"},{"type":"text","text":"and polite"}],
             "messages":[{"role":"user","content":[{"type":"text","text":"hello"}]}]}
            """), sent.Json), sent.BodyText);
    }

    [Fact]
    public async Task Sends_the_model_configured_max_output_tokens_when_the_client_sets_none()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream, config =>
            config["models"]![0]!["maxOutputTokens"] = 1234);
        upstream.EnqueueJson(AnthropicAnswers.Text("ok"));
        upstream.EnqueueJson(AnthropicAnswers.Text("ok"));
        var client = gateway.OpenAIClient().GetChatClient("claude-test");

        await client.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: TestContext.Current.CancellationToken);
        await client.CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 77 }, TestContext.Current.CancellationToken);

        var requests = upstream.Requests.ToArray();
        Assert.Equal(1234, (int?)requests[0].Json["max_tokens"]);
        Assert.Equal(77, (int?)requests[1].Json["max_tokens"]);
    }

    [Fact]
    public async Task Streams_a_chat_from_anthropic_events()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        upstream.EnqueueSse(AnthropicAnswers.TextStream("Hel", "lo", " there"));
        var client = gateway.OpenAIClient().GetChatClient("claude-test");

        var pieces = new List<string>();
        var models = new HashSet<string>();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("hi")], cancellationToken: TestContext.Current.CancellationToken))
        {
            pieces.AddRange(update.ContentUpdate.Select(p => p.Text).Where(t => t.Length > 0));
            models.Add(update.Model);
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.Equal(["Hel", "lo", " there"], pieces);
        Assert.Equal(["claude-test"], models);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.Equal(12, usage?.InputTokenCount);
        Assert.Equal(3, usage?.OutputTokenCount);
        var sent = upstream.LastRequest.Json;
        Assert.True((bool?)sent["stream"]);
        Assert.Null(sent["stream_options"]);
    }

    [Fact]
    public async Task Round_trips_a_tool_call_with_its_result_first_in_the_next_user_turn()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        upstream.EnqueueJson(AnthropicAnswers.Message(
            """[{"type":"text","text":"Let me check."},{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}}]""",
            stopReason: "tool_use"));
        upstream.EnqueueJson(AnthropicAnswers.Text("It is sunny in Paris."));
        var client = gateway.OpenAIClient().GetChatClient("claude-test");
        var options = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather for a city", WeatherParameters) } };
        List<ChatMessage> messages = [new UserChatMessage("What is the weather in Paris?")];

        var first = (await client.CompleteChatAsync(messages, options, TestContext.Current.CancellationToken)).Value;
        var call = Assert.Single(first.ToolCalls);
        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, "sunny, 21C"));
        messages.Add(new UserChatMessage("Thanks!"));
        var second = (await client.CompleteChatAsync(messages, options, TestContext.Current.CancellationToken)).Value;

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Equal("Let me check.", first.Content[0].Text);
        Assert.Equal("toolu_01A", call.Id);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("""{"city":"Paris"}""", call.FunctionArguments.ToString());
        Assert.Equal("It is sunny in Paris.", second.Content[0].Text);
        var requests = upstream.Requests.ToArray();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"name":"get_weather","description":"Weather for a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]
            """), requests[0].Json["tools"]), requests[0].BodyText);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"role":"user","content":[{"type":"text","text":"What is the weather in Paris?"}]},
             {"role":"assistant","content":[{"type":"text","text":"Let me check."},{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"sunny, 21C"},{"type":"text","text":"Thanks!"}]}]
            """), requests[1].Json["messages"]), requests[1].BodyText);
    }

    [Fact]
    public async Task Round_trips_two_parallel_tool_calls_in_one_assistant_turn()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        upstream.EnqueueJson(AnthropicAnswers.Message(
            """[{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}},{"type":"tool_use","id":"toolu_01B","name":"get_time","input":{"zone":"CET"}}]""",
            stopReason: "tool_use"));
        upstream.EnqueueJson(AnthropicAnswers.Text("Sunny, and it is noon."));
        var client = gateway.OpenAIClient().GetChatClient("claude-test");
        var options = new ChatCompletionOptions
        {
            Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather", WeatherParameters), ChatTool.CreateFunctionTool("get_time", "Time", TimeParameters) },
        };
        List<ChatMessage> messages = [new UserChatMessage("Weather and time in Paris?")];

        var first = (await client.CompleteChatAsync(messages, options, TestContext.Current.CancellationToken)).Value;
        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage("toolu_01A", "sunny"));
        messages.Add(new ToolChatMessage("toolu_01B", "12:00"));
        await client.CompleteChatAsync(messages, options, TestContext.Current.CancellationToken);

        Assert.Equal(["toolu_01A", "toolu_01B"], first.ToolCalls.Select(c => c.Id));
        Assert.Equal(["get_weather", "get_time"], first.ToolCalls.Select(c => c.FunctionName));
        Assert.Equal(["""{"city":"Paris"}""", """{"zone":"CET"}"""], first.ToolCalls.Select(c => c.FunctionArguments.ToString()));
        var sent = upstream.LastRequest.Json["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "user"], sent.Select(m => (string?)m!["role"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"type":"tool_result","tool_use_id":"toolu_01A","content":"sunny"},{"type":"tool_result","tool_use_id":"toolu_01B","content":"12:00"}]
            """), sent[2]!["content"]), sent.ToJsonString());
    }

    [Fact]
    public async Task Streams_tool_arguments_split_across_many_deltas()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        string[] pieces = ["", "{\"ci", "ty\": ", "\"Pa", "ris\"", ", \"days\"", ": 3", "}"];
        upstream.EnqueueSse(
        [
            AnthropicAnswers.MessageStart(),
            AnthropicAnswers.ToolUseStart(0, "toolu_01A", "get_weather"),
            .. pieces.Select(p => AnthropicAnswers.InputJsonDelta(0, p)),
            AnthropicAnswers.BlockStop(0),
            AnthropicAnswers.MessageDelta("tool_use", 40),
            AnthropicAnswers.MessageStop(),
        ]);
        var client = gateway.OpenAIClient().GetChatClient("claude-test");
        var options = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather", WeatherParameters) } };

        var updates = new List<StreamingChatToolCallUpdate>();
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("weather?")], options, TestContext.Current.CancellationToken))
        {
            updates.AddRange(update.ToolCallUpdates);
            finish ??= update.FinishReason;
        }

        Assert.All(updates, u => Assert.Equal(0, u.Index));
        Assert.Equal("toolu_01A", updates[0].ToolCallId);
        Assert.Equal("get_weather", updates[0].FunctionName);
        Assert.Equal(pieces.Where(p => p.Length > 0), updates.Select(u => u.FunctionArgumentsUpdate?.ToString()).Where(a => !string.IsNullOrEmpty(a)));
        Assert.Equal("{\"city\": \"Paris\", \"days\": 3}", string.Concat(updates.Select(u => u.FunctionArgumentsUpdate?.ToString())));
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
    }

    [Fact]
    public async Task Streams_two_parallel_tool_calls_with_their_own_indexes()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        upstream.EnqueueSse(
        [
            AnthropicAnswers.MessageStart(),
            AnthropicAnswers.TextStart(0),
            AnthropicAnswers.TextDelta(0, "Checking both."),
            AnthropicAnswers.BlockStop(0),
            AnthropicAnswers.ToolUseStart(1, "toolu_01A", "get_weather"),
            AnthropicAnswers.InputJsonDelta(1, "{\"city\":"),
            AnthropicAnswers.InputJsonDelta(1, "\"Paris\"}"),
            AnthropicAnswers.BlockStop(1),
            AnthropicAnswers.ToolUseStart(2, "toolu_01B", "get_time"),
            AnthropicAnswers.InputJsonDelta(2, "{\"zone\":"),
            AnthropicAnswers.InputJsonDelta(2, "\"CET\"}"),
            AnthropicAnswers.BlockStop(2),
            AnthropicAnswers.MessageDelta("tool_use", 50),
            AnthropicAnswers.MessageStop(),
        ]);
        var client = gateway.OpenAIClient().GetChatClient("claude-test");
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
        Assert.Equal(("toolu_01A", "get_weather", "{\"city\":\"Paris\"}"), calls[0]);
        Assert.Equal(("toolu_01B", "get_time", "{\"zone\":\"CET\"}"), calls[1]);
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
    }

    [Fact]
    public async Task Returns_thinking_with_its_signature_and_sends_it_back_exactly()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        upstream.EnqueueJson(AnthropicAnswers.Message($$$"""
            [{"type":"thinking","thinking":"6 times 7 is 42.","signature":"{{{AnthropicAnswers.Signature}}}"},{"type":"text","text":"42"}]
            """));
        upstream.EnqueueJson(AnthropicAnswers.Text("You're welcome."));
        var client = gateway.OpenAIClient().GetChatClient("claude-test");
        var options = new ChatCompletionOptions { ReasoningEffortLevel = ChatReasoningEffortLevel.Low };
        List<ChatMessage> messages = [new UserChatMessage("What is 6 times 7?")];

        var first = await client.CompleteChatAsync(messages, options, TestContext.Current.CancellationToken);
        var answer = JsonNode.Parse(first.GetRawResponse().Content.ToString())!["choices"]![0]!["message"]!;
        var assistant = new AssistantChatMessage(first.Value);
        // thinking_blocks is not in the SDK's model; its JSON patch is how a client sends it back.
#pragma warning disable SCME0001
        assistant.Patch.Set("$.thinking_blocks"u8, BinaryData.FromString(answer["thinking_blocks"]!.ToJsonString()));
#pragma warning restore SCME0001
        messages.Add(assistant);
        messages.Add(new UserChatMessage("Thanks"));
        await client.CompleteChatAsync(messages, options, TestContext.Current.CancellationToken);

        Assert.Equal("42", first.Value.Content[0].Text);
        Assert.Equal("6 times 7 is 42.", (string?)answer["reasoning_content"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$$"""
            [{"type":"thinking","thinking":"6 times 7 is 42.","signature":"{{{AnthropicAnswers.Signature}}}"}]
            """), answer["thinking_blocks"]));
        var requests = upstream.Requests.ToArray();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"enabled","budget_tokens":1024}"""), requests[0].Json["thinking"]), requests[0].BodyText);
        // No max_tokens from the client: the default answer length plus the thinking budget.
        Assert.Equal(4096 + 1024, (int?)requests[0].Json["max_tokens"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$$"""
            {"role":"assistant","content":[{"type":"thinking","thinking":"6 times 7 is 42.","signature":"{{{AnthropicAnswers.Signature}}}"},{"type":"text","text":"42"}]}
            """), requests[1].Json["messages"]![1]), requests[1].BodyText);
    }

    [Fact]
    public async Task Streams_thinking_as_reasoning_content_and_a_signed_thinking_block()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        upstream.EnqueueSse(
        [
            AnthropicAnswers.MessageStart(),
            AnthropicAnswers.ThinkingStart(0),
            AnthropicAnswers.ThinkingDelta(0, "6 times 7"),
            AnthropicAnswers.ThinkingDelta(0, " is 42."),
            AnthropicAnswers.SignatureDelta(0, AnthropicAnswers.Signature),
            AnthropicAnswers.BlockStop(0),
            AnthropicAnswers.TextStart(1),
            AnthropicAnswers.TextDelta(1, "42"),
            AnthropicAnswers.BlockStop(1),
            AnthropicAnswers.MessageDelta("end_turn", 30),
            AnthropicAnswers.MessageStop(),
        ]);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions",
            Requests.Json("""{"model":"claude-test","stream":true,"reasoning_effort":"medium","max_tokens":8000,"messages":[{"role":"user","content":"What is 6 times 7?"}]}"""),
            TestContext.Current.CancellationToken);
        var chunks = SseEvents.Chunks(await SseEvents.ReadDataAsync(response));

        var deltas = chunks.Where(c => c["choices"]!.AsArray().Count > 0).Select(c => c["choices"]![0]!["delta"]!).ToList();
        Assert.Equal("6 times 7 is 42.", string.Concat(deltas.Select(d => (string?)d["reasoning_content"])));
        Assert.Equal("42", string.Concat(deltas.Select(d => (string?)d["content"])));
        var blocks = Assert.Single(deltas, d => d["thinking_blocks"] is not null)["thinking_blocks"];
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$$"""
            [{"type":"thinking","thinking":"6 times 7 is 42.","signature":"{{{AnthropicAnswers.Signature}}}"}]
            """), blocks));
        Assert.Equal("stop", (string?)chunks.Last(c => c["choices"]!.AsArray().Count > 0)["choices"]![0]!["finish_reason"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"enabled","budget_tokens":4096}"""), upstream.LastRequest.Json["thinking"]));
        Assert.Equal(8000, (int?)upstream.LastRequest.Json["max_tokens"]);
    }

    [Fact]
    public async Task Sends_a_base64_image_as_an_image_block()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        upstream.EnqueueJson(AnthropicAnswers.Text("A pixel."));
        var client = gateway.OpenAIClient().GetChatClient("claude-test");

        var completion = (await client.CompleteChatAsync(
            [new UserChatMessage(ChatMessageContentPart.CreateTextPart("What is this?"), ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(Pixel.Bytes), "image/png"))],
            cancellationToken: TestContext.Current.CancellationToken)).Value;

        Assert.Equal("A pixel.", completion.Content[0].Text);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$$"""
            [{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"{{{Pixel.Png}}}"}}]}]
            """), upstream.LastRequest.Json["messages"]), upstream.LastRequest.BodyText);
    }

    [Fact]
    public async Task Json_schema_output_becomes_a_forced_tool_whose_input_is_the_answer()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        upstream.EnqueueJson(AnthropicAnswers.Message(
            """[{"type":"tool_use","id":"toolu_01J","name":"switchyard_json_output","input":{"city":"Paris","temperature":21}}]""",
            stopReason: "tool_use"));
        var client = gateway.OpenAIClient().GetChatClient("claude-test");
        const string schema = """{"type":"object","properties":{"city":{"type":"string"},"temperature":{"type":"number"}},"required":["city","temperature"],"additionalProperties":false}""";
        var options = new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("weather", BinaryData.FromString(schema), jsonSchemaIsStrict: true),
        };

        var completion = (await client.CompleteChatAsync([new UserChatMessage("Weather in Paris as JSON")], options, TestContext.Current.CancellationToken)).Value;

        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Empty(completion.ToolCalls);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"city":"Paris","temperature":21}"""), JsonNode.Parse(completion.Content[0].Text)));
        var sent = upstream.LastRequest.Json;
        var tool = Assert.Single(sent["tools"]!.AsArray())!;
        Assert.Equal("switchyard_json_output", (string?)tool["name"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(schema), tool["input_schema"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"tool","name":"switchyard_json_output"}"""), sent["tool_choice"]), sent.ToJsonString());
    }

    [Fact]
    public async Task Sends_stop_sequences_and_maps_the_stop_reason_back()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        upstream.EnqueueJson(AnthropicAnswers.Message("""[{"type":"text","text":"one, two, "}]""", stopReason: "stop_sequence", stopSequence: "three"));
        var client = gateway.OpenAIClient().GetChatClient("claude-test");
        var options = new ChatCompletionOptions { StopSequences = { "three", "END" }, Temperature = 1.6f };

        var completion = await client.CompleteChatAsync([new UserChatMessage("count")], options, TestContext.Current.CancellationToken);

        Assert.Equal("one, two, ", completion.Value.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.Value.FinishReason);
        var sent = upstream.LastRequest.Json;
        Assert.Equal(["three", "END"], sent["stop_sequences"]!.AsArray().Select(s => (string?)s));
        Assert.Equal(1.0, (double?)sent["temperature"]);
        Assert.True(completion.GetRawResponse().Headers.TryGetValue("X-Param-Adjustments", out var adjustments));
        Assert.Contains("temperature", adjustments, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passes_an_upstream_rate_limit_on_with_its_retry_after()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream, GatewayInstance.NoRetries);
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context,
            AnthropicAnswers.Error("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
            429, new Dictionary<string, string> { ["retry-after"] = "9" });
        var client = gateway.OpenAIClient().GetChatClient("claude-test");

        var exception = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(429, exception.Status);
        Assert.True(exception.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.Equal("9", retryAfter);
        OpenAIErrorAssert.Envelope(exception.GetRawResponse()!.Content.ToString(), "rate_limit_error", "rate_limit_exceeded");
    }

    [Fact]
    public async Task Answers_502_when_the_only_upstream_is_overloaded()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        // Bench out of reach so both requests meet the upstream, each with its retries.
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream, config =>
            config["routing"] = new JsonObject { ["backoffMilliseconds"] = 1, ["benchAfterFailures"] = 100 });
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, AnthropicAnswers.Error("overloaded_error", "Overloaded"), 529);
        var openai = gateway.OpenAIClient().GetChatClient("claude-test");
        using var anthropic = gateway.AnthropicClient();

        var fromOpenAI = await Assert.ThrowsAsync<ClientResultException>(() => openai.CompleteChatAsync([new UserChatMessage("hi")]));
        var fromAnthropic = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => anthropic.Messages.Create(new MessageCreateParams
        {
            Model = "claude-test",
            MaxTokens = 10,
            Messages = [new UserMessageParam("hi")],
        }, TestContext.Current.CancellationToken));

        Assert.Equal(502, fromOpenAI.Status);
        OpenAIErrorAssert.Envelope(fromOpenAI.GetRawResponse()!.Content.ToString(), "server_error", "upstream_error");
        Assert.Equal(HttpStatusCode.BadGateway, fromAnthropic.StatusCode);
        AnthropicErrorAssert.Envelope(fromAnthropic.ResponseBody, "api_error");
        Assert.Equal(2 * 3, upstream.Requests.Count);
    }

    [Fact]
    public async Task Fails_over_to_the_fallback_when_the_upstream_is_overloaded()
    {
        await using var overloaded = await FakeUpstream.StartAsync();
        await using var healthy = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(overloaded, config =>
        {
            GatewayInstance.AddAnthropic(config, healthy, provider: "claude-backup", model: "claude-backup");
            config["models"]![0]!["fallbacks"] = new JsonArray("claude-backup");
        });
        overloaded.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, AnthropicAnswers.Error("overloaded_error", "Overloaded"), 529);
        healthy.EnqueueJson(AnthropicAnswers.Text("from the backup"));
        healthy.EnqueueJson(AnthropicAnswers.Text("from the backup again"));
        var openai = gateway.OpenAIClient().GetChatClient("claude-test");
        using var anthropic = gateway.AnthropicClient();

        var completion = (await openai.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: TestContext.Current.CancellationToken)).Value;
        var message = await anthropic.Messages.Create(new MessageCreateParams { Model = "claude-test", MaxTokens = 10, Messages = [new UserMessageParam("hi")] }, TestContext.Current.CancellationToken);

        Assert.Equal("from the backup", completion.Content[0].Text);
        Assert.Equal("claude-test", completion.Model);
        Assert.True(Assert.Single(message.Content).TryPickText(out var text));
        Assert.Equal("from the backup again", text.Text);
        Assert.Equal("claude-test", message.Model.Raw());
        // The only deployment is retried (1 + 2 retries), benched after 3 failures, then skipped.
        Assert.Equal(3, overloaded.Requests.Count);
        Assert.Equal(2, healthy.Requests.Count);
    }

    [Fact]
    public async Task Passthrough_forwards_unknown_fields_and_the_client_anthropic_version()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream, config =>
            config["providers"]![0]!["anthropicVersion"] = "2023-01-01");
        const string answer = """
            {"id":"msg_01Up","type":"message","role":"assistant","model":"claude-upstream-2025",
             "content":[{"type":"text","text":"Hi","citations":null}],"stop_reason":"end_turn","stop_sequence":null,
             "usage":{"input_tokens":9,"cache_creation_input_tokens":0,"cache_read_input_tokens":4,"output_tokens":1,"service_tier":"standard"},
             "container":{"id":"cntr_01","expires_at":"2025-01-01T00:00:00Z"}}
            """;
        upstream.EnqueueJson(answer);
        using var http = gateway.HttpClient(key: null);
        http.DefaultRequestHeaders.Add("x-api-key", GatewayInstance.UserKey);
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        http.DefaultRequestHeaders.Add("anthropic-beta", "context-management-2025-06-27");
        const string request = """
            {"model":"claude-test","max_tokens":100,
             "messages":[{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral","ttl":"1h"}}]}],
             "context_management":{"edits":[{"type":"clear_tool_uses_20250919"}]},
             "container":"cntr_01", "service_tier":"auto", "top_k":40}
            """;

        using var response = await http.PostAsync("/v1/messages", Requests.Json(request), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = upstream.LastRequest;
        var expected = RawJson.TopLevel(request).Select(p => p.Key == "model" ? new KeyValuePair<string, string>("model", "\"claude-upstream\"") : p);
        Assert.Equal(expected, RawJson.TopLevel(sent.Body));
        Assert.Equal("/v1/messages", sent.Path);
        Assert.Equal(GatewayInstance.UpstreamKey, sent.Header("x-api-key"));
        Assert.Equal("2023-06-01", sent.Header("anthropic-version"));
        Assert.Equal("context-management-2025-06-27", sent.Header("anthropic-beta"));
        var relayed = RawJson.TopLevel(answer).Select(p => p.Key == "model" ? new KeyValuePair<string, string>("model", "\"claude-test\"") : p);
        Assert.Equal(relayed, RawJson.TopLevel(body));
    }

    [Fact]
    public async Task Passthrough_streams_to_the_official_anthropic_sdk_with_the_model_rewritten()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream, config =>
            config["providers"]![0]!["anthropicVersion"] = "2023-01-01");
        upstream.EnqueueSse(AnthropicAnswers.TextStream("Hi", " there"));
        using var client = gateway.AnthropicClient();

        var events = await AnthropicEvents.ReadAsync(client, new MessageCreateParams
        {
            Model = "claude-test",
            MaxTokens = 100,
            Messages = [new UserMessageParam("hi")],
        });

        Assert.Equal(
            ["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            AnthropicEvents.Types(events));
        Assert.Equal("claude-test", (string?)events[0]["message"]!["model"]);
        Assert.Equal(["Hi", " there"], AnthropicEvents.Deltas(events, 0, "text"));
        var sent = upstream.LastRequest;
        Assert.Equal("claude-upstream", (string?)sent.Json["model"]);
        Assert.True((bool?)sent.Json["stream"]);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", sent.Header("anthropic-version"));
        Assert.NotEqual("2023-01-01", sent.Header("anthropic-version"));
        Assert.Equal(GatewayInstance.UpstreamKey, sent.Header("x-api-key"));
    }

    [Fact]
    public async Task Passthrough_relays_an_upstream_error_in_anthropic_envelope()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        upstream.EnqueueJson(AnthropicAnswers.Error("invalid_request_error", "messages.0.content.0.image.source.base64: invalid base64 data"), 400);
        using var client = gateway.AnthropicClient();

        var exception = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => client.Messages.Create(new MessageCreateParams
        {
            Model = "claude-test",
            MaxTokens = 10,
            Messages = [new UserMessageParam("hi")],
        }, TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.BadRequest, exception.StatusCode);
        var error = AnthropicErrorAssert.Envelope(exception.ResponseBody, "invalid_request_error");
        Assert.Contains("invalid base64 data", (string?)error["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Counts_tokens_on_the_upstream_count_tokens_endpoint()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        upstream.EnqueueJson("""{"input_tokens":42}""");
        upstream.EnqueueJson("""{"input_tokens":43}""");
        using var client = gateway.AnthropicClient();
        using var http = gateway.HttpClient();

        var count = await client.Messages.CountTokens(new MessageCountTokensParams
        {
            Model = "claude-test",
            Messages = [new UserMessageParam("count me")],
        }, TestContext.Current.CancellationToken);
        using var raw = await http.PostAsync("/v1/messages/count_tokens",
            Requests.Json("""{"model":"claude-test","messages":[{"role":"user","content":"count me"}]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(42, count.InputTokens);
        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        Assert.False(raw.Headers.Contains("X-Token-Count-Estimated"));
        Assert.Equal("""{"input_tokens":43}""", await raw.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.All(upstream.Requests, sent =>
        {
            Assert.Equal("/v1/messages/count_tokens", sent.Path);
            Assert.Equal("claude-upstream", (string?)sent.Json["model"]);
            Assert.Equal("count me", Requests.TextOf(sent.Json["messages"]![0]!["content"]));
            Assert.Equal(GatewayInstance.UpstreamKey, sent.Header("x-api-key"));
        });
    }

    [Fact]
    public async Task Refuses_the_google_search_tool_for_an_anthropic_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        var client = gateway.OpenAIClient().GetChatClient("claude-test");
        var options = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("googleSearch", "Search the web") } };

        var exception = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("news?")], options, TestContext.Current.CancellationToken));

        Assert.Equal(400, exception.Status);
        var error = OpenAIErrorAssert.Envelope(exception.GetRawResponse()!.Content.ToString(), "invalid_request_error", null);
        Assert.Contains("googleSearch", (string?)error["message"], StringComparison.Ordinal);
        Assert.Contains("search", (string?)error["message"], StringComparison.OrdinalIgnoreCase);
        Assert.Empty(upstream.Requests);
    }
}
