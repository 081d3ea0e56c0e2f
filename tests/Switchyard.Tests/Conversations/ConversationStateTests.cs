using System.ClientModel;
using System.Net;
using System.Text.Json.Nodes;
using OpenAI.Responses;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Conversations;

/// <summary>
/// <c>previous_response_id</c> on every upstream (docs/behaviour.md): the gateway keeps each answer's
/// conversation per key and rebuilds it for the next turn, whatever dialect the upstream speaks.
/// </summary>
public sealed class ConversationStateTests
{
    private const string Instructions = "Answer briefly.";
    private const string Question = "What is the weather in Paris?";

    private static readonly BinaryData WeatherParameters = BinaryData.FromString(
        """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string> Upstreams => new() { "openai", "anthropic", "gemini" };

    [Theory]
    [MemberData(nameof(Upstreams))]
    public async Task Continues_a_function_call_with_the_whole_conversation_rebuilt_for_the_upstream(string kind)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(kind, upstream);
        upstream.EnqueueJson(ToolCallAnswer(kind));
        upstream.EnqueueJson(TextAnswer(kind, "It is sunny in Paris."));
        var client = gateway.OpenAIClient().GetResponsesClient();

        var first = (await client.CreateResponseAsync(Turn(kind, ResponseItem.CreateUserMessageItem(Question)), Token)).Value;
        var call = Assert.Single(first.OutputItems.OfType<FunctionCallResponseItem>());
        var next = Turn(kind, ResponseItem.CreateFunctionCallOutputItem(call.CallId, "sunny, 21C"));
        next.PreviousResponseId = first.Id;
        var second = (await client.CreateResponseAsync(next, Token)).Value;

        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("""{"city":"Paris"}""", JsonNode.Parse(call.FunctionArguments.ToString())!.ToJsonString());
        Assert.False(string.IsNullOrEmpty(call.CallId));
        Assert.Equal("It is sunny in Paris.", second.GetOutputText());
        Assert.Equal(Model(kind), second.Model);
        Assert.NotEqual(first.Id, second.Id);

        // The response object repeats the settings it was asked with, as OpenAI's does.
        Assert.Equal(first.Id, second.PreviousResponseId);
        Assert.Null(first.PreviousResponseId);
        Assert.Equal("get_weather", Assert.IsType<FunctionTool>(Assert.Single(second.Tools)).FunctionName);
        var requests = upstream.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Null(requests[1].Json["previous_response_id"]);
        AssertRebuiltConversation(kind, requests[1].Json, call.CallId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Keeps_anthropic_thinking_and_its_signature_for_the_next_turn(bool stream)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        var thinking = """{"type":"thinking","thinking":"The user wants Paris weather; call the tool.","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgwsig-anthropic-1"}""";
        const string toolUse = """{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}}""";
        if (stream)
        {
            upstream.EnqueueSse(
            [
                AnthropicAnswers.MessageStart(),
                AnthropicAnswers.ThinkingStart(0),
                AnthropicAnswers.ThinkingDelta(0, "The user wants Paris weather; call the tool."),
                AnthropicAnswers.SignatureDelta(0, "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgwsig-anthropic-1"),
                AnthropicAnswers.BlockStop(0),
                AnthropicAnswers.ToolUseStart(1, "toolu_01A", "get_weather"),
                AnthropicAnswers.InputJsonDelta(1, """{"city":"Paris"}"""),
                AnthropicAnswers.BlockStop(1),
                AnthropicAnswers.MessageDelta("tool_use"),
                AnthropicAnswers.MessageStop(),
            ]);
        }
        else
        {
            upstream.EnqueueJson(AnthropicAnswers.Message($"[{thinking},{toolUse}]", stopReason: "tool_use"));
        }

        upstream.EnqueueJson(AnthropicAnswers.Message("""[{"type":"text","text":"Sunny."}]"""));
        var client = gateway.OpenAIClient().GetResponsesClient();
        var first = Turn("anthropic", ResponseItem.CreateUserMessageItem(Question));
        first.ReasoningOptions = new ResponseReasoningOptions { ReasoningEffortLevel = ResponseReasoningEffortLevel.Medium };
        string firstId;
        string callId;
        if (stream)
        {
            first.StreamingEnabled = true;
            var updates = await ResponsesEvents.CollectAsync(client.CreateResponseStreamingAsync(first, Token));
            var answered = Assert.IsType<StreamingResponseCompletedUpdate>(updates[^1]).Response;
            (firstId, callId) = (answered.Id, answered.OutputItems.OfType<FunctionCallResponseItem>().Single().CallId);
        }
        else
        {
            var answered = (await client.CreateResponseAsync(first, Token)).Value;
            (firstId, callId) = (answered.Id, answered.OutputItems.OfType<FunctionCallResponseItem>().Single().CallId);
        }

        var next = Turn("anthropic", ResponseItem.CreateFunctionCallOutputItem(callId, "sunny, 21C"));
        next.PreviousResponseId = firstId;
        next.ReasoningOptions = new ResponseReasoningOptions { ReasoningEffortLevel = ResponseReasoningEffortLevel.Medium };
        var second = (await client.CreateResponseAsync(next, Token)).Value;

        Assert.Equal("Sunny.", second.GetOutputText());
        var assistant = upstream.LastRequest.Json["messages"]!.AsArray().Single(m => (string?)m!["role"] == "assistant")!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(thinking), assistant["content"]![0]), assistant.ToJsonString());
        Assert.Equal("tool_use", (string?)assistant["content"]![1]!["type"]);
    }

    [Fact]
    public async Task Continues_a_chain_of_turns_each_adding_to_the_conversation()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("Paris."));
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("About 2.1 million."));
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("The Seine."));
        var client = gateway.OpenAIClient().GetResponsesClient();

        var first = (await client.CreateResponseAsync("gpt-test", "Capital of France?", cancellationToken: Token)).Value;
        var second = (await client.CreateResponseAsync("gpt-test", "Population?", first.Id, Token)).Value;
        var third = (await client.CreateResponseAsync("gpt-test", "Its river?", second.Id, Token)).Value;

        Assert.Equal("The Seine.", third.GetOutputText());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"role":"user","content":"Capital of France?"},
             {"role":"assistant","content":"Paris."},
             {"role":"user","content":"Population?"},
             {"role":"assistant","content":"About 2.1 million."},
             {"role":"user","content":"Its river?"}]
            """), upstream.LastRequest.Json["messages"]), upstream.LastRequest.BodyText);
    }

    [Fact]
    public async Task Continues_a_streamed_function_call()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueSse(
        [
            UpstreamAnswers.Chunk("""{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_s1","type":"function","function":{"name":"get_weather","arguments":""}}]}"""),
            UpstreamAnswers.Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]}"""),
            UpstreamAnswers.Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Paris\"}"}}]}"""),
            UpstreamAnswers.Chunk("{}", "tool_calls"),
            UpstreamAnswers.UsageChunk(30, 9),
            "data: [DONE]",
        ]);
        upstream.EnqueueSse(UpstreamAnswers.TextStream("Sunny", "."));
        var client = gateway.OpenAIClient().GetResponsesClient();
        var first = Turn("openai", ResponseItem.CreateUserMessageItem(Question));
        first.StreamingEnabled = true;

        var firstUpdates = await ResponsesEvents.CollectAsync(client.CreateResponseStreamingAsync(first, Token));
        var answered = Assert.IsType<StreamingResponseCompletedUpdate>(firstUpdates[^1]).Response;
        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(answered.OutputItems));
        var next = Turn("openai", ResponseItem.CreateFunctionCallOutputItem(call.CallId, "sunny, 21C"));
        next.PreviousResponseId = answered.Id;
        next.StreamingEnabled = true;
        var secondUpdates = await ResponsesEvents.CollectAsync(client.CreateResponseStreamingAsync(next, Token));

        Assert.Equal("call_s1", call.CallId);
        var completed = Assert.IsType<StreamingResponseCompletedUpdate>(secondUpdates[^1]).Response;
        Assert.Equal("Sunny.", completed.GetOutputText());
        Assert.Equal(answered.Id, completed.PreviousResponseId);
        Assert.Equal("get_weather", Assert.IsType<FunctionTool>(Assert.Single(completed.Tools)).FunctionName);
        AssertRebuiltConversation("openai", upstream.LastRequest.Json, "call_s1");
    }

    [Fact]
    public async Task Rebuilds_the_conversation_for_a_responses_upstream_with_its_reasoning_items()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartWithResponsesModelAsync(upstream);
        upstream.EnqueueJson(ResponsesAnswers.Response(new JsonArray(
            ResponsesAnswers.ReasoningItem("rs_up_1", "Paris, so get_weather."),
            ResponsesAnswers.FunctionCallItem("fc_up_1", "call_up_1", "get_weather", """{"city":"Paris"}""")).ToJsonString(), id: "resp_up_1"));
        upstream.EnqueueJson(ResponsesAnswers.Text("Sunny.", id: "resp_up_2"));
        var client = gateway.OpenAIClient().GetResponsesClient();

        var first = (await client.CreateResponseAsync(Turn("gpt-pro", ResponseItem.CreateUserMessageItem(Question)), Token)).Value;
        var next = Turn("gpt-pro", ResponseItem.CreateFunctionCallOutputItem("call_up_1", "sunny, 21C"));
        next.PreviousResponseId = first.Id;
        var second = (await client.CreateResponseAsync(next, Token)).Value;

        Assert.Equal("resp_up_1", first.Id);
        Assert.Equal("gpt-pro", first.Model);
        Assert.Equal("Sunny.", second.GetOutputText());
        var sent = upstream.LastRequest.Json;
        Assert.Equal("/v1/responses", upstream.LastRequest.Path);
        Assert.Null(sent["previous_response_id"]);
        Assert.Equal("gpt-5-pro", (string?)sent["model"]);
        var input = sent["input"]!.AsArray();
        Assert.Equal(["message", "reasoning", "function_call", "function_call_output"], input.Select(i => (string?)i!["type"] ?? "message"));
        Assert.Equal(Question, Requests.TextOf(input[0]!["content"]));
        Assert.Equal(ResponsesAnswers.EncryptedContent, (string?)input[1]!["encrypted_content"]);
        Assert.Equal("rs_up_1", (string?)input[1]!["id"]);
        Assert.Equal("call_up_1", (string?)input[2]!["call_id"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"function_call_output","call_id":"call_up_1","output":"sunny, 21C"}"""), input[3]), input[3]!.ToJsonString());
    }

    [Fact]
    public async Task Never_continues_another_keys_response()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config => GatewayInstance.AddRestrictedKey(config, "gpt-test"));
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("Mine."));
        var first = (await gateway.OpenAIClient().GetResponsesClient().CreateResponseAsync("gpt-test", "secret plan", cancellationToken: Token)).Value;
        using var other = gateway.HttpClient(GatewayInstance.RestrictedKey);

        var response = await other.PostAsync("/v1/responses", Requests.Json($$"""{"model":"gpt-test","input":"what was the plan?","previous_response_id":"{{first.Id}}"}"""), Token);
        var exception = await Assert.ThrowsAsync<ClientResultException>(() =>
            gateway.OpenAIClient(GatewayInstance.RestrictedKey).GetResponsesClient().CreateResponseAsync("gpt-test", "and now?", first.Id, Token));

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.NotFound, "not_found_error", null);
        Assert.Equal("previous_response_id", (string?)error["param"]);
        Assert.Contains(first.Id, (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal(404, exception.Status);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task Answers_an_unknown_previous_response_with_a_404_before_calling_the_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        var response = await http.PostAsync("/v1/responses", Requests.Json("""{"model":"gpt-test","input":"hi","previous_response_id":"resp_does_not_exist"}"""), Token);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.NotFound, "not_found_error", null);
        Assert.Equal("previous_response_id", (string?)error["param"]);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Continues_a_response_stored_before_a_store_false_turn_but_not_that_turn()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("Paris."));
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("About 2.1 million."));
        var client = gateway.OpenAIClient().GetResponsesClient();
        var first = (await client.CreateResponseAsync("gpt-test", "Capital of France?", cancellationToken: Token)).Value;
        var unstored = new CreateResponseOptions("gpt-test", [ResponseItem.CreateUserMessageItem("Population?")]) { PreviousResponseId = first.Id, StoredOutputEnabled = false };

        var second = (await client.CreateResponseAsync(unstored, Token)).Value;
        var exception = await Assert.ThrowsAsync<ClientResultException>(() => client.CreateResponseAsync("gpt-test", "Its river?", second.Id, Token));

        Assert.Equal("About 2.1 million.", second.GetOutputText());
        Assert.Equal(["user", "assistant", "user"], upstream.LastRequest.Json["messages"]!.AsArray().Select(m => (string?)m!["role"]));
        Assert.Equal(404, exception.Status);
        Assert.Equal(2, upstream.Requests.Count);
    }

    private static Task<GatewayInstance> StartAsync(string kind, FakeUpstream upstream) => kind switch
    {
        "anthropic" => GatewayInstance.StartWithAnthropicAsync(upstream),
        "gemini" => GatewayInstance.StartWithGeminiAsync(upstream),
        _ => GatewayInstance.StartWithOpenAIAsync(upstream),
    };

    /// <summary>A gateway whose model <c>gpt-pro</c> is served by the provider's own <c>/v1/responses</c>.</summary>
    private static Task<GatewayInstance> StartWithResponsesModelAsync(FakeUpstream upstream) => GatewayInstance.StartWithOpenAIAsync(upstream, config =>
        config["models"]!.AsArray().Add(new JsonObject { ["id"] = "gpt-pro", ["provider"] = "oai", ["model"] = "gpt-5-pro", ["api"] = "responses" }));

    private static string Model(string kind) => kind switch
    {
        "anthropic" => "claude-test",
        "gemini" => "gemini-test",
        "gpt-pro" => "gpt-pro",
        _ => "gpt-test",
    };

    /// <summary>One turn as the SDK sends it: the instructions and tools again (they do not carry over), and the new input.</summary>
    private static CreateResponseOptions Turn(string kind, ResponseItem input) => new(Model(kind), [input])
    {
        Instructions = Instructions,
        Tools = { ResponseTool.CreateFunctionTool("get_weather", WeatherParameters, strictModeEnabled: false, "Weather for a city") },
    };

    private static string ToolCallAnswer(string kind) => kind switch
    {
        "anthropic" => AnthropicAnswers.Message(
            """[{"type":"text","text":"Let me check."},{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}}]""",
            stopReason: "tool_use"),
        "gemini" => GeminiAnswers.Response("""[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]"""),
        _ => """
            {"id":"chatcmpl-t1","object":"chat.completion","created":1700000000,"model":"gpt-upstream-2025","choices":[{"index":0,"message":{"role":"assistant","content":"Let me check.","tool_calls":[{"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":20,"completion_tokens":5,"total_tokens":25}}
            """,
    };

    private static string TextAnswer(string kind, string text) => kind switch
    {
        "anthropic" => AnthropicAnswers.Text(text),
        "gemini" => GeminiAnswers.Text(text),
        _ => UpstreamAnswers.ChatCompletion(text),
    };

    /// <summary>The second turn as each upstream must receive it: instructions, the question, the call and its output.</summary>
    private static void AssertRebuiltConversation(string kind, JsonObject sent, string callId)
    {
        var (property, expected) = kind switch
        {
            "anthropic" => ("messages", JsonNode.Parse("""
                [{"role":"user","content":[{"type":"text","text":"What is the weather in Paris?"}]},
                 {"role":"assistant","content":[{"type":"text","text":"Let me check."},{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"sunny, 21C"}]}]
                """)),
            "gemini" => ("contents", JsonNode.Parse("""
                [{"role":"user","parts":[{"text":"What is the weather in Paris?"}]},
                 {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},
                 {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"result":"sunny, 21C"}}}]}]
                """)),
            _ => ("messages", JsonNode.Parse($$$"""
                [{"role":"developer","content":"Answer briefly."},
                 {"role":"user","content":"What is the weather in Paris?"},
                 {"role":"assistant",{{{(callId == "call_abc" ? "\"content\":\"Let me check.\"," : "")}}}"tool_calls":[{"id":"{{{callId}}}","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
                 {"role":"tool","tool_call_id":"{{{callId}}}","content":"sunny, 21C"}]
                """)),
        };

        Assert.True(JsonNode.DeepEquals(expected, sent[property]), sent.ToJsonString());
        var instructions = kind switch
        {
            "anthropic" => Requests.TextOf(sent["system"]),
            "gemini" => Requests.TextOf(sent["systemInstruction"]!["parts"]),
            _ => Requests.TextOf(sent["messages"]![0]!["content"]),
        };
        Assert.Equal(Instructions, instructions);
        Assert.NotNull(sent["tools"]);
    }
}
