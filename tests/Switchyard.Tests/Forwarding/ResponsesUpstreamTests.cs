using System.Net;
using System.Text.Json.Nodes;
using OpenAI.Chat;
using OpenAI.Responses;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Forwarding;

/// <summary>
/// Models with <c>"api": "responses"</c>: Responses clients pass through to the provider's own
/// <c>/v1/responses</c>; Chat Completions clients are translated to it. A Codex-shaped session runs
/// against such a model and against a chat-only upstream.
/// </summary>
public sealed class ResponsesUpstreamTests
{
    private const string OddRequest = """
        {
          "model" :   "gpt-pro",
          "input": [ {"role":"user",   "content":"hi \u00e9"} ],
          "store" : true,
          "service_tier":"flex",
          "truncation" : "auto",
          "custom_vendor_field":{"x":[1,2]},
          "strict_params": false,
          "temperature" : 0.5
        }
        """;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Passes_a_responses_request_through_rewriting_only_the_model()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        var answer = ResponsesAnswers.Text("Hi there.", id: "resp_up_7");
        upstream.EnqueueJson(answer);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/responses", Requests.Json(OddRequest), Token);
        var body = await response.Content.ReadAsStringAsync(Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/responses", sent.Path);
        Assert.Equal("Bearer " + GatewayInstance.UpstreamKey, sent.Header("authorization"));
        var expected = RawJson.TopLevel(OddRequest)
            .Where(p => p.Key != "strict_params")
            .Select(p => p.Key == "model" ? new KeyValuePair<string, string>("model", "\"gpt-5-pro\"") : p);
        Assert.Equal(expected, RawJson.TopLevel(sent.Body));
        Assert.Equal(
            RawJson.TopLevel(answer).Select(p => p.Key == "model" ? new KeyValuePair<string, string>("model", "\"gpt-pro\"") : p),
            RawJson.TopLevel(body));
    }

    [Fact]
    public async Task Stores_a_passed_through_response_under_the_upstreams_id_for_this_key()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        upstream.EnqueueJson(ResponsesAnswers.Text("Kept.", id: "resp_up_8"));
        var client = gateway.OpenAIClient().GetResponsesClient();

        var created = (await client.CreateResponseAsync("gpt-pro", "keep this", cancellationToken: Token)).Value;
        var fetched = (await client.GetResponseAsync("resp_up_8", Token)).Value;

        Assert.Equal("resp_up_8", created.Id);
        Assert.Equal("Kept.", fetched.GetOutputText());
        Assert.Equal("gpt-pro", fetched.Model);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task Relays_a_responses_stream_event_for_event_with_the_clients_model_and_the_cost()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, priced: true);
        var frames = new ResponsesAnswers.StreamBuilder("resp_up_s")
            .Started()
            .Reasoning("rs_up_1", "**Greeting**", " the user.")
            .Message("msg_up_1", "Hel", "lo", " 👋")
            .Completed(inputTokens: 1_000_000, outputTokens: 1_000_000, cachedTokens: 0, reasoningTokens: 500_000)
            .Frames;
        upstream.EnqueueSse(frames);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/responses", Requests.Json("""{"model":"gpt-pro","input":"hi","stream":true}"""), Token);
        var events = ResponsesEvents.Read(await SseEvents.ReadItemsAsync(response));

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var upstreamEvents = frames.Select(f => JsonNode.Parse(f[(f.IndexOf("data: ", StringComparison.Ordinal) + 6)..])!.AsObject()).ToList();
        Assert.Equal(upstreamEvents.Count, events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var expected = upstreamEvents[i];
            if (expected["response"] is JsonObject responseObject)
            {
                responseObject["model"] = "gpt-pro";
                if ((string?)expected["type"] == "response.completed")
                {
                    responseObject["usage"]!["cost"] = 3m;
                }
            }

            Assert.True(JsonNode.DeepEquals(expected, events[i]), $"event {i}: {events[i].ToJsonString()}");
        }
    }

    [Fact]
    public async Task Translates_a_chat_client_to_the_responses_upstream_and_back()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        upstream.EnqueueJson(ResponsesAnswers.Response(
            new JsonArray(ResponsesAnswers.ReasoningItem("rs_up_1", "Simple greeting."), ResponsesAnswers.MessageItem("msg_up_1", "Hello!")).ToJsonString(),
            inputTokens: 30, outputTokens: 12, cachedTokens: 10, reasoningTokens: 8));
        var client = gateway.OpenAIClient().GetChatClient("gpt-pro");

        var completion = (await client.CompleteChatAsync([new SystemChatMessage("be brief"), new UserChatMessage("hello")], new ChatCompletionOptions { MaxOutputTokenCount = 300 }, Token)).Value;

        Assert.Equal("Hello!", completion.Content[0].Text);
        Assert.Equal("gpt-pro", completion.Model);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(30, completion.Usage.InputTokenCount);
        Assert.Equal(12, completion.Usage.OutputTokenCount);
        Assert.Equal(10, completion.Usage.InputTokenDetails.CachedTokenCount);
        Assert.Equal(8, completion.Usage.OutputTokenDetails.ReasoningTokenCount);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/responses", sent.Path);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"model":"gpt-5-pro","instructions":"be brief",
             "input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"hello"}]}],
             "max_output_tokens":300,"store":false,"include":["reasoning.encrypted_content"]}
            """), sent.Json), sent.BodyText);
    }

    [Fact]
    public async Task Streams_a_responses_upstream_to_a_chat_client()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        upstream.EnqueueSse(new ResponsesAnswers.StreamBuilder().Started().Message("msg_up_1", "Hel", "lo", " there").Completed(inputTokens: 9, outputTokens: 3).Frames);
        var client = gateway.OpenAIClient().GetChatClient("gpt-pro");

        var pieces = new List<string>();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("hi")], cancellationToken: Token))
        {
            pieces.AddRange(update.ContentUpdate.Select(p => p.Text).Where(t => t.Length > 0));
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.Equal(["Hel", "lo", " there"], pieces);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.Equal(9, usage?.InputTokenCount);
        Assert.Equal(3, usage?.OutputTokenCount);
        var sent = upstream.LastRequest.Json;
        Assert.True((bool?)sent["stream"]);
        Assert.Null(sent["stream_options"]);
    }

    [Fact]
    public async Task Returns_encrypted_reasoning_to_the_responses_upstream_through_a_chat_client()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        upstream.EnqueueJson(ResponsesAnswers.Response(new JsonArray(
            ResponsesAnswers.ReasoningItem("rs_up_1", "Paris, so get_weather."),
            ResponsesAnswers.FunctionCallItem("fc_up_1", "call_up_1", "get_weather", """{"city":"Paris"}""")).ToJsonString()));
        upstream.EnqueueJson(ResponsesAnswers.Text("Sunny."));
        using var http = gateway.HttpClient();
        const string tools = """[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]""";

        using var first = await http.PostAsync("/v1/chat/completions", Requests.Json($$"""{"model":"gpt-pro","messages":[{"role":"user","content":"Weather in Paris?"}],"tools":{{tools}}}"""), Token);
        var assistant = JsonNode.Parse(await first.Content.ReadAsStringAsync(Token))!["choices"]![0]!["message"]!.AsObject();
        var messages = new JsonArray(
            new JsonObject { ["role"] = "user", ["content"] = "Weather in Paris?" },
            assistant.DeepClone(),
            new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_up_1", ["content"] = "sunny, 21C" });
        using var second = await http.PostAsync("/v1/chat/completions", Requests.Json(new JsonObject { ["model"] = "gpt-pro", ["messages"] = messages, ["tools"] = JsonNode.Parse(tools) }.ToJsonString()), Token);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("Paris, so get_weather.", (string?)assistant["reasoning_content"]);
        Assert.StartsWith("sy1.openai.", (string?)assistant["thinking_blocks"]![0]!["signature"], StringComparison.Ordinal);
        var input = upstream.LastRequest.Json["input"]!.AsArray();
        Assert.Equal(["message", "reasoning", "function_call", "function_call_output"], input.Select(i => (string?)i!["type"]));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$"""{"type":"reasoning","id":"rs_up_1","summary":[{"type":"summary_text","text":"Paris, so get_weather."}],"encrypted_content":"{{ResponsesAnswers.EncryptedContent}}"}"""),
            input[1]), input[1]!.ToJsonString());
    }

    [Fact]
    public async Task Runs_a_codex_session_against_a_responses_model_event_for_event()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        var firstAnswer = new ResponsesAnswers.StreamBuilder("resp_up_c1")
            .Started()
            .Reasoning("rs_up_1", "**Running the build**", "\n\nI'll run the build to see the error.")
            .FunctionCall("fc_up_1", "call_up_1", "shell", "{\"", "command", "\":[\"", "bash", "\",\"-lc\",\"", "dotnet build", "\"],\"", "workdir", "\":\"/repo\"}")
            .Completed(inputTokens: 5200, outputTokens: 180, cachedTokens: 4096, reasoningTokens: 128)
            .Frames;
        var secondAnswer = new ResponsesAnswers.StreamBuilder("resp_up_c2").Started().Message("msg_up_1", "The build", " is fixed.").Completed().Frames;
        upstream.EnqueueSse(firstAnswer);
        upstream.EnqueueSse(secondAnswer);
        using var http = gateway.HttpClient();
        var turn = CodexRequest("gpt-pro");

        var firstEvents = await PostStreamAsync(http, turn);
        var output = firstEvents[^1]["response"]!["output"]!.AsArray();
        turn["input"]!.AsArray().Add(output[0]!.DeepClone());
        turn["input"]!.AsArray().Add(output[1]!.DeepClone());
        turn["input"]!.AsArray().Add(new JsonObject { ["type"] = "function_call_output", ["call_id"] = "call_up_1", ["output"] = "{\"output\":\"Build succeeded.\",\"metadata\":{\"exit_code\":0}}" });
        var secondEvents = await PostStreamAsync(http, turn);
        using var get = await http.GetAsync("/v1/responses/resp_up_c2", Token);

        AssertRelayed(firstAnswer, firstEvents);
        AssertRelayed(secondAnswer, secondEvents);
        Assert.Equal(ResponsesAnswers.EncryptedContent, (string?)output[0]!["encrypted_content"]);
        var requests = upstream.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        var firstSent = CodexRequest("gpt-5-pro");
        Assert.True(JsonNode.DeepEquals(firstSent, requests[0].Json), requests[0].BodyText);
        turn["model"] = "gpt-5-pro";
        Assert.True(JsonNode.DeepEquals(turn, requests[1].Json), requests[1].BodyText);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Runs_a_codex_session_against_a_chat_upstream_event_for_event()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        string[] arguments = ["{\"", "command", "\":[\"", "bash", "\",\"-lc\",\"", "dotnet build", "\"],\"", "workdir", "\":\"/repo\"}"];
        upstream.EnqueueSse(
        [
            UpstreamAnswers.Chunk("""{"role":"assistant","content":null,"reasoning_content":"I'll run"}"""),
            UpstreamAnswers.Chunk("""{"reasoning_content":" the build."}"""),
            UpstreamAnswers.Chunk("""{"tool_calls":[{"index":0,"id":"call_c1","type":"function","function":{"name":"shell","arguments":""}}]}"""),
            .. arguments.Select(a => UpstreamAnswers.Chunk($$$"""{"tool_calls":[{"index":0,"function":{"arguments":{{{System.Text.Json.JsonSerializer.Serialize(a)}}}}}]}""")),
            UpstreamAnswers.Chunk("{}", "tool_calls"),
            UpstreamAnswers.UsageChunk(5200, 180),
            "data: [DONE]",
        ]);
        upstream.EnqueueSse(UpstreamAnswers.TextStream("The build", " is fixed."));
        using var http = gateway.HttpClient();
        var turn = CodexRequest("gpt-test");

        var firstEvents = await PostStreamAsync(http, turn);
        var output = firstEvents[^1]["response"]!["output"]!.AsArray();
        foreach (var item in output)
        {
            turn["input"]!.AsArray().Add(item!.DeepClone());
        }

        turn["input"]!.AsArray().Add(new JsonObject { ["type"] = "function_call_output", ["call_id"] = "call_c1", ["output"] = "Build succeeded." });
        var secondEvents = await PostStreamAsync(http, turn);

        Assert.Equal(
            [
                "response.created", "response.in_progress",
                "response.output_item.added", "response.reasoning_summary_part.added",
                "response.reasoning_summary_text.delta", "response.reasoning_summary_text.delta",
                "response.reasoning_summary_text.done", "response.reasoning_summary_part.done", "response.output_item.done",
                "response.output_item.added", .. arguments.Select(_ => "response.function_call_arguments.delta"),
                "response.function_call_arguments.done", "response.output_item.done",
                "response.completed",
            ],
            ResponsesEvents.Types(firstEvents));
        AssertGrammar(firstEvents);
        Assert.Equal(["I'll run", " the build."], firstEvents.Where(e => (string?)e["type"] == "response.reasoning_summary_text.delta").Select(e => (string?)e["delta"]));
        Assert.Equal(arguments, firstEvents.Where(e => (string?)e["type"] == "response.function_call_arguments.delta").Select(e => (string?)e["delta"]));
        Assert.Equal(["reasoning", "function_call"], output.Select(i => (string?)i!["type"]));
        Assert.Equal("call_c1", (string?)output[1]!["call_id"]);
        Assert.Equal("shell", (string?)output[1]!["name"]);
        Assert.Equal(string.Concat(arguments), (string?)output[1]!["arguments"]);
        Assert.Equal("gpt-test", (string?)firstEvents[^1]["response"]!["model"]);
        Assert.Equal(5200, (int?)firstEvents[^1]["response"]!["usage"]!["input_tokens"]);
        Assert.Equal(
            ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
             "response.output_text.delta", "response.output_text.delta", "response.output_text.done", "response.content_part.done",
             "response.output_item.done", "response.completed"],
            ResponsesEvents.Types(secondEvents));
        AssertGrammar(secondEvents);
        Assert.Equal("The build is fixed.", (string?)secondEvents[^1]["response"]!["output"]![0]!["content"]![0]!["text"]);

        var requests = upstream.Requests.ToArray();
        var firstSent = requests[0].Json;
        Assert.Equal("/v1/chat/completions", requests[0].Path);
        Assert.Equal("gpt-upstream", (string?)firstSent["model"]);
        Assert.Equal(
            ["shell", "apply_patch", "update_plan", "view_image", "read_file", "list_dir", "grep_files"],
            firstSent["tools"]!.AsArray().Select(t => (string?)t!["function"]!["name"]));
        Assert.True(JsonNode.DeepEquals(CodexRequest("x")["tools"]![0]!["parameters"], firstSent["tools"]![0]!["function"]!["parameters"]));
        Assert.Equal("auto", (string?)firstSent["tool_choice"]);
        Assert.False((bool?)firstSent["parallel_tool_calls"]);
        Assert.Equal("medium", (string?)firstSent["reasoning_effort"]);
        Assert.Null(firstSent["store"]);
        Assert.Null(firstSent["include"]);
        Assert.Equal(["developer", "user", "user"], firstSent["messages"]!.AsArray().Select(m => (string?)m!["role"]));
        var secondMessages = requests[1].Json["messages"]!.AsArray();
        Assert.Equal(["developer", "user", "user", "assistant", "tool"], secondMessages.Select(m => (string?)m!["role"]));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$$"""[{"id":"call_c1","type":"function","function":{"name":"shell","arguments":{{{System.Text.Json.JsonSerializer.Serialize(string.Concat(arguments))}}}}}]"""),
            secondMessages[3]!["tool_calls"]), secondMessages[3]!.ToJsonString());
        Assert.Equal("call_c1", (string?)secondMessages[4]!["tool_call_id"]);
        Assert.Equal("Build succeeded.", Requests.TextOf(secondMessages[4]!["content"]));
    }

    [Fact]
    public async Task Ends_a_passed_through_stream_with_one_response_failed_when_the_upstream_fails()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        var frames = new ResponsesAnswers.StreamBuilder("resp_up_f").Started().PartialMessage("msg_up_1", "Once upon").Failed("The model produced invalid content.").Frames;
        upstream.EnqueueSse(frames);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/responses", Requests.Json("""{"model":"gpt-pro","input":"a story","stream":true}"""), Token);
        var events = ResponsesEvents.Read(await SseEvents.ReadItemsAsync(response));

        Assert.Equal(
            ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added", "response.output_text.delta", "response.failed"],
            ResponsesEvents.Types(events));
        AssertFailedLast(events, "resp_up_f", "upstream_error", "The model produced invalid content.");
    }

    [Fact]
    public async Task Ends_a_passed_through_stream_with_response_failed_when_the_upstream_closes_it_early()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        upstream.EnqueueSse(new ResponsesAnswers.StreamBuilder("resp_up_b").Started().PartialMessage("msg_up_1", "Once upon").Frames);
        var client = gateway.OpenAIClient().GetResponsesClient();

        var updates = await ResponsesEvents.CollectAsync(client.CreateResponseStreamingAsync("gpt-pro", "a story", cancellationToken: Token));

        var failed = Assert.IsType<StreamingResponseFailedUpdate>(updates[^1]);
        Assert.Equal(ResponseStatus.Failed, failed.Response.Status);
        Assert.Equal("resp_up_b", failed.Response.Id);
        Assert.Equal(updates[^2].SequenceNumber + 1, failed.SequenceNumber);
        Assert.Equal("Once upon", Assert.Single(updates.OfType<StreamingResponseOutputTextDeltaUpdate>()).Delta);
    }

    [Fact]
    public async Task Ends_a_passed_through_stream_with_response_failed_on_an_error_event()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        var frames = new ResponsesAnswers.StreamBuilder("resp_up_e").Started().PartialMessage("msg_up_1", "Once upon").Error("rate_limit_exceeded", "Rate limit reached for requests.").Frames;
        upstream.EnqueueSse([.. frames, "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":6,\"item_id\":\"msg_up_1\",\"output_index\":0,\"content_index\":0,\"delta\":\" a time\"}"]);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/responses", Requests.Json("""{"model":"gpt-pro","input":"a story","stream":true}"""), Token);
        var events = ResponsesEvents.Read(await SseEvents.ReadItemsAsync(response));

        Assert.Equal("response.failed", ResponsesEvents.Types(events)[^1]);
        Assert.Equal(6, events.Count);
        AssertFailedLast(events, "resp_up_e", "rate_limit_exceeded", "Rate limit reached for requests.");
    }

    [Fact]
    public async Task Relays_a_responses_upstream_error_in_the_openai_envelope()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        upstream.EnqueueJson(ResponsesAnswers.Error("Invalid 'input[0].content': expected an array.", code: "invalid_value"), status: 400);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/responses", Requests.Json("""{"model":"gpt-pro","input":[{"role":"user","content":7}]}"""), Token);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", "invalid_value");
        Assert.Equal("Invalid 'input[0].content': expected an array.", (string?)error["message"]);
        Assert.Single(upstream.Requests);
    }

    /// <summary>A gateway whose model <c>gpt-pro</c> is served by the provider's own <c>/v1/responses</c> as <c>gpt-5-pro</c>.</summary>
    private static Task<GatewayInstance> StartAsync(FakeUpstream upstream, bool priced = false) => GatewayInstance.StartWithOpenAIAsync(upstream, config =>
    {
        var model = new JsonObject { ["id"] = "gpt-pro", ["provider"] = "oai", ["model"] = "gpt-5-pro", ["api"] = "responses" };
        if (priced)
        {
            model["pricing"] = new JsonObject { ["inputPerMTok"] = 1m, ["outputPerMTok"] = 2m };
        }

        config["models"]!.AsArray().Add(model);
    });

    /// <summary>The first turn of a Codex CLI session, for <paramref name="model"/>.</summary>
    private static JsonObject CodexRequest(string model)
    {
        var request = FixtureFiles.Json("OpenAI/codex.request.json").AsObject();
        request["model"] = model;
        return request;
    }

    private static async Task<List<JsonObject>> PostStreamAsync(HttpClient http, JsonObject body)
    {
        using var response = await http.PostAsync("/v1/responses", Requests.Json(body.ToJsonString()), Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return ResponsesEvents.Read(await SseEvents.ReadItemsAsync(response));
    }

    /// <summary>Each upstream event reached the client unchanged, but for the model the response events report.</summary>
    private static void AssertRelayed(IReadOnlyList<string> upstreamFrames, List<JsonObject> events)
    {
        Assert.Equal(upstreamFrames.Count, events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var expected = JsonNode.Parse(upstreamFrames[i][(upstreamFrames[i].IndexOf("data: ", StringComparison.Ordinal) + 6)..])!;
            if (expected["response"] is JsonObject response)
            {
                response["model"] = "gpt-pro";
            }

            Assert.True(JsonNode.DeepEquals(expected, events[i]), $"event {i}: {events[i].ToJsonString()}");
        }
    }

    /// <summary>Sequence numbers 0, 1, 2…; every item added is done once with the same id and index; the terminal response carries them all.</summary>
    private static void AssertGrammar(List<JsonObject> events)
    {
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => (int)e["sequence_number"]!));
        var added = events.Where(e => (string?)e["type"] == "response.output_item.added").ToList();
        var done = events.Where(e => (string?)e["type"] == "response.output_item.done").ToList();
        Assert.Equal(added.Select(e => ((string?)e["item"]!["id"], (int?)e["output_index"])), done.Select(e => ((string?)e["item"]!["id"], (int?)e["output_index"])));
        Assert.Equal(Enumerable.Range(0, added.Count), added.Select(e => (int)e["output_index"]!));
        Assert.True(JsonNode.DeepEquals(new JsonArray(done.Select(e => e["item"]!.DeepClone()).ToArray()), events[^1]["response"]!["output"]));
        Assert.Equal(events[0]["response"]!["id"]!.ToJsonString(), events[^1]["response"]!["id"]!.ToJsonString());
    }

    private static void AssertFailedLast(List<JsonObject> events, string id, string code, string message)
    {
        Assert.Single(events, e => (string?)e["type"] == "response.failed");
        var failed = events[^1];
        Assert.Equal("response.failed", (string?)failed["type"]);
        Assert.Equal((int)events[^2]["sequence_number"]! + 1, (int?)failed["sequence_number"]);
        Assert.Equal(id, (string?)failed["response"]!["id"]);
        Assert.Equal("failed", (string?)failed["response"]!["status"]);
        Assert.Equal("gpt-pro", (string?)failed["response"]!["model"]);
        Assert.Equal(code, (string?)failed["response"]!["error"]!["code"]);
        Assert.Equal(message, (string?)failed["response"]!["error"]!["message"]);
    }
}
