using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Surfaces;

/// <summary>The Anthropic routes as the official Anthropic .NET SDK sees them, against echo and an OpenAI-compatible upstream.</summary>
public sealed class AnthropicSurfaceTests
{
    [Fact]
    public async Task Echo_answers_a_message_to_the_official_sdk()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var client = gateway.AnthropicClient();

        var message = await client.Messages.Create(new MessageCreateParams
        {
            Model = "echo",
            MaxTokens = 256,
            Messages = [new UserMessageParam("hello there")],
        }, TestContext.Current.CancellationToken);

        Assert.StartsWith("msg_", message.ID, StringComparison.Ordinal);
        Assert.Equal("echo", message.Model.Raw());
        Assert.True(Assert.Single(message.Content).TryPickText(out var text));
        Assert.Equal("Echo: hello there", text.Text);
        Assert.Equal("end_turn", message.StopReason?.Raw());
        Assert.True(message.Usage.InputTokens > 0);
        Assert.True(message.Usage.OutputTokens > 0);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Echo_streams_a_message_in_the_anthropic_event_grammar()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var client = gateway.AnthropicClient();

        var events = await AnthropicEvents.ReadAsync(client, new MessageCreateParams
        {
            Model = "echo",
            MaxTokens = 256,
            Messages = [new UserMessageParam("hello there")],
        });

        var types = AnthropicEvents.Types(events);
        Assert.Equal("message_start", types[0]);
        Assert.Equal("content_block_start", types[1]);
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], types[^3..]);
        Assert.All(types[2..^3], type => Assert.Equal("content_block_delta", type));
        Assert.Equal("echo", (string?)events[0]["message"]!["model"]);
        Assert.Equal("Echo: hello there", string.Concat(AnthropicEvents.Deltas(events, 0, "text")));
        Assert.Equal("end_turn", (string?)events[^2]["delta"]!["stop_reason"]);
        Assert.True((int?)events[^2]["usage"]!["output_tokens"] > 0);
    }

    [Fact]
    public async Task Echo_round_trips_a_tool_call_with_the_official_sdk()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var client = gateway.AnthropicClient();
        List<MessageParam> messages = [new UserMessageParam("please call get_weather for Paris")];

        var first = await client.Messages.Create(Request("echo", messages, [AnthropicTools.Weather()]), TestContext.Current.CancellationToken);
        Assert.True(Assert.Single(first.Content).TryPickToolUse(out var call));
        messages.Add(new AssistantMessageParam(new List<ContentBlockParam> { new ToolUseBlockParam { ID = call.ID, Name = call.Name, Input = call.Input } }));
        messages.Add(new UserMessageParam(new List<ContentBlockParam> { new ToolResultBlockParam(call.ID) { Content = "sunny, 21C" } }));
        var second = await client.Messages.Create(Request("echo", messages, [AnthropicTools.Weather()]), TestContext.Current.CancellationToken);

        Assert.Equal("tool_use", first.StopReason?.Raw());
        Assert.Equal("get_weather", call.Name);
        Assert.Matches("^[A-Za-z0-9_-]+$", call.ID);
        Assert.Equal(JsonValueKind.String, call.Input?["city"].ValueKind);
        Assert.Equal("end_turn", second.StopReason?.Raw());
        Assert.True(Assert.Single(second.Content).TryPickText(out var text));
        Assert.Contains("returned: sunny, 21C", text.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Counts_tokens_for_echo_as_a_marked_estimate()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var client = gateway.AnthropicClient();
        using var http = gateway.HttpClient();

        var count = await client.Messages.CountTokens(new MessageCountTokensParams
        {
            Model = "echo",
            System = "be brief",
            Messages = [new UserMessageParam("count these words for me please")],
        }, TestContext.Current.CancellationToken);
        using var raw = await http.PostAsync("/v1/messages/count_tokens",
            Requests.Json("""{"model":"echo","messages":[{"role":"user","content":"count these words for me please"}]}"""),
            TestContext.Current.CancellationToken);

        Assert.True(count.InputTokens > 0);
        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        Assert.Equal("true", raw.Headers.GetValues("X-Token-Count-Estimated").Single());
        var body = JsonNode.Parse(await raw.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();
        Assert.Equal(["input_tokens"], body.Select(p => p.Key));
        Assert.True((int?)body["input_tokens"] > 0);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Translates_system_prompt_stop_sequences_and_user_for_an_openai_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("Hi from upstream", promptTokens: 11, completionTokens: 4));
        using var client = gateway.AnthropicClient();

        var message = await client.Messages.Create(new MessageCreateParams
        {
            Model = "gpt-test",
            MaxTokens = 300,
            System = "be brief",
            StopSequences = ["END"],
            Metadata = new Metadata { UserID = "user-42" },
            Messages = [new UserMessageParam("hello")],
        }, TestContext.Current.CancellationToken);

        Assert.Equal("gpt-test", message.Model.Raw());
        Assert.True(Assert.Single(message.Content).TryPickText(out var text));
        Assert.Equal("Hi from upstream", text.Text);
        Assert.Equal("end_turn", message.StopReason?.Raw());
        Assert.Equal(11, message.Usage.InputTokens);
        Assert.Equal(4, message.Usage.OutputTokens);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/chat/completions", sent.Path);
        Assert.Equal("Bearer " + GatewayInstance.UpstreamKey, sent.Header("authorization"));
        Assert.Null(sent.Header("x-api-key"));
        Assert.Null(sent.Header("anthropic-version"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"model":"gpt-upstream","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hello"}],
             "max_completion_tokens":300,"stop":["END"],"user":"user-42"}
            """), sent.Json), sent.BodyText);
    }

    [Fact]
    public async Task Sends_a_mid_conversation_system_message_to_an_openai_upstream_where_it_stands()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("noted"));
        using var client = gateway.HttpClient();
        client.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");

        // As Claude Code 2.1 sends its environment: a system message right after the user turn.
        using var response = await client.PostAsync("/v1/messages", new StringContent("""
            {"model":"gpt-test","max_tokens":300,"system":"be brief",
             "messages":[{"role":"user","content":"hello"},{"role":"system","content":[{"type":"text","text":"cwd: /work"}]}]}
            """, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("noted", (string?)message["content"]![0]!["text"]);
        var sent = Assert.Single(upstream.Requests);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"role":"system","content":"be brief"},{"role":"user","content":"hello"},{"role":"system","content":"cwd: /work"}]
            """), sent.Json!["messages"]), sent.BodyText);
    }

    [Fact]
    public async Task Streams_text_from_an_openai_upstream_as_anthropic_events()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueSse(UpstreamAnswers.TextStream("Hel", "lo", " world"));
        using var client = gateway.AnthropicClient();

        var events = await AnthropicEvents.ReadAsync(client, Request("gpt-test", [new UserMessageParam("hi")]));

        Assert.Equal(
            ["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            AnthropicEvents.Types(events));
        Assert.Equal("gpt-test", (string?)events[0]["message"]!["model"]);
        Assert.Equal("text", (string?)events[1]["content_block"]!["type"]);
        Assert.Equal(["Hel", "lo", " world"], AnthropicEvents.Deltas(events, 0, "text"));
        Assert.Equal("end_turn", (string?)events[6]["delta"]!["stop_reason"]);
        Assert.Equal(7, (int?)events[6]["usage"]!["input_tokens"]);
        Assert.Equal(3, (int?)events[6]["usage"]!["output_tokens"]);
        var sent = upstream.LastRequest.Json;
        Assert.True((bool?)sent["stream"]);
        Assert.True((bool?)sent["stream_options"]!["include_usage"]);
    }

    [Fact]
    public async Task Round_trips_a_tool_call_through_an_openai_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson("""
            {"id":"chatcmpl-t1","object":"chat.completion","created":1700000000,"model":"gpt-upstream-2025","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":20,"completion_tokens":5,"total_tokens":25}}
            """);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("It is sunny in Paris."));
        using var client = gateway.AnthropicClient();
        List<MessageParam> messages = [new UserMessageParam("What is the weather in Paris?")];

        var first = await client.Messages.Create(Request("gpt-test", messages, [AnthropicTools.Weather()]), TestContext.Current.CancellationToken);
        Assert.True(Assert.Single(first.Content).TryPickToolUse(out var call));
        messages.Add(new AssistantMessageParam(new List<ContentBlockParam> { new ToolUseBlockParam { ID = call.ID, Name = call.Name, Input = call.Input } }));
        messages.Add(new UserMessageParam(new List<ContentBlockParam> { new ToolResultBlockParam(call.ID) { Content = "sunny, 21C" } }));
        var second = await client.Messages.Create(Request("gpt-test", messages, [AnthropicTools.Weather()]), TestContext.Current.CancellationToken);

        Assert.Equal("tool_use", first.StopReason?.Raw());
        Assert.Equal("call_abc", call.ID);
        Assert.Equal("Paris", call.Input["city"].GetString());
        Assert.True(Assert.Single(second.Content).TryPickText(out var text));
        Assert.Equal("It is sunny in Paris.", text.Text);
        var requests = upstream.Requests.ToArray();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"type":"function","function":{"name":"get_weather","description":"Weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]
            """), requests[0].Json["tools"]), requests[0].BodyText);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"role":"user","content":"What is the weather in Paris?"},
             {"role":"assistant","tool_calls":[{"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
             {"role":"tool","tool_call_id":"call_abc","content":"sunny, 21C"}]
            """), requests[1].Json["messages"]), requests[1].BodyText);
    }

    [Fact]
    public async Task Streams_tool_arguments_as_they_arrive_from_an_openai_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        string[] pieces = ["{\"ci", "ty\":", " \"Pa", "ris\", ", "\"unit", "s\": \"c", "elsius", "\"}"];
        var firstPieceSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        upstream.Enqueue(async (context, _) =>
        {
            await FakeUpstream.WriteSseAsync(context,
            [
                UpstreamAnswers.Chunk("""{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":""}}]}"""),
                ArgumentsChunk(0, pieces[0]),
            ]);

            // The rest waits until the client has seen the first piece: nothing may be held back to the end.
            await firstPieceSeen.Task.WaitAsync(TimeSpan.FromSeconds(10), context.RequestAborted);
            await FakeUpstream.WriteFramesAsync(context,
                [.. pieces[1..].Select(p => ArgumentsChunk(0, p)), UpstreamAnswers.Chunk("{}", "tool_calls"), UpstreamAnswers.UsageChunk(30, 12), "data: [DONE]"]);
        });
        using var client = gateway.AnthropicClient();

        var events = await AnthropicEvents.ReadAsync(client, Request("gpt-test", [new UserMessageParam("weather in Paris?")], [AnthropicTools.Weather()]), e =>
        {
            if ((string?)e["delta"]?["type"] == "input_json_delta")
            {
                firstPieceSeen.TrySetResult();
            }
        });

        Assert.Equal(["message_start", "content_block_start", .. pieces.Select(_ => "content_block_delta"), "content_block_stop", "message_delta", "message_stop"], AnthropicEvents.Types(events));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"type":"tool_use","id":"call_abc","name":"get_weather","input":{}}"""),
            events[1]["content_block"]));
        Assert.Equal(pieces, AnthropicEvents.Deltas(events, 0, "partial_json"));
        Assert.Equal("tool_use", (string?)events[^2]["delta"]!["stop_reason"]);
        Assert.Equal(12, (int?)events[^2]["usage"]!["output_tokens"]);
    }

    [Fact]
    public async Task Streams_two_parallel_tool_calls_as_separate_blocks()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueSse(
        [
            UpstreamAnswers.Chunk("""{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]}"""),
            ArgumentsChunk(0, "{\"city\":"),
            ArgumentsChunk(0, "\"Paris\"}"),
            UpstreamAnswers.Chunk("""{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_time","arguments":""}}]}"""),
            ArgumentsChunk(1, "{\"zone\":"),
            ArgumentsChunk(1, "\"CET\"}"),
            UpstreamAnswers.Chunk("{}", "tool_calls"),
            UpstreamAnswers.UsageChunk(30, 20),
            "data: [DONE]",
        ]);
        using var client = gateway.AnthropicClient();

        var events = await AnthropicEvents.ReadAsync(client, Request("gpt-test", [new UserMessageParam("weather and time in Paris?")], [AnthropicTools.Weather(), AnthropicTools.Time()]));

        var starts = events.Where(e => (string?)e["type"] == "content_block_start").ToList();
        Assert.Equal([0, 1], starts.Select(e => (int?)e["index"]));
        Assert.Equal(["call_a", "call_b"], starts.Select(e => (string?)e["content_block"]!["id"]));
        Assert.Equal(["get_weather", "get_time"], starts.Select(e => (string?)e["content_block"]!["name"]));
        Assert.Equal("{\"city\":\"Paris\"}", string.Concat(AnthropicEvents.Deltas(events, 0, "partial_json")));
        Assert.Equal("{\"zone\":\"CET\"}", string.Concat(AnthropicEvents.Deltas(events, 1, "partial_json")));
        Assert.Equal([0, 1], events.Where(e => (string?)e["type"] == "content_block_stop").Select(e => (int?)e["index"]));
        var firstStop = events.FindIndex(e => (string?)e["type"] == "content_block_stop");
        Assert.True(firstStop < events.IndexOf(starts[1]), "block 0 must close before block 1 opens");
        Assert.Equal("tool_use", (string?)events[^2]["delta"]!["stop_reason"]);
    }

    [Fact]
    public async Task Sends_a_base64_image_to_an_openai_upstream_as_a_data_url()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("A single pixel."));
        using var client = gateway.AnthropicClient();
        var image = new ImageBlockParam(new Base64ImageSource { Data = Pixel.Png, MediaType = MediaType.ImagePng });

        var message = await client.Messages.Create(
            Request("gpt-test", [new UserMessageParam(new List<ContentBlockParam> { image, new TextBlockParam("What is this?") })]),
            TestContext.Current.CancellationToken);

        Assert.True(Assert.Single(message.Content).TryPickText(out var text));
        Assert.Equal("A single pixel.", text.Text);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$$"""
            [{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,{{{Pixel.Png}}}"}},{"type":"text","text":"What is this?"}]}]
            """), upstream.LastRequest.Json["messages"]), upstream.LastRequest.BodyText);
    }

    [Fact]
    public async Task Sends_structured_output_from_output_config_to_an_openai_upstream_as_json_schema()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("""{"city":"Paris"}"""));
        using var client = gateway.AnthropicClient();
        const string schema = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}""";

        var message = await client.Messages.Create(new MessageCreateParams
        {
            Model = "gpt-test",
            MaxTokens = 200,
            Messages = [new UserMessageParam("Which city? Answer as JSON.")],
            OutputConfig = new OutputConfig
            {
                Format = new JsonOutputFormat { Schema = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(schema)! },
            },
        }, TestContext.Current.CancellationToken);

        Assert.True(Assert.Single(message.Content).TryPickText(out var text));
        Assert.Equal("""{"city":"Paris"}""", text.Text);
        var format = upstream.LastRequest.Json["response_format"];
        Assert.Equal("json_schema", (string?)format?["type"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(schema), format?["json_schema"]?["schema"]), upstream.LastRequest.BodyText);
    }

    [Fact]
    public async Task Sends_adaptive_thinking_with_its_effort_to_an_openai_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("thought hard"));
        using var client = gateway.AnthropicClient();

        var message = await client.Messages.Create(new MessageCreateParams
        {
            Model = "gpt-test",
            MaxTokens = 20000,
            Messages = [new UserMessageParam("Think about it.")],
            Thinking = new ThinkingConfigAdaptive(),
            OutputConfig = new OutputConfig { Effort = Effort.High },
        }, TestContext.Current.CancellationToken);

        Assert.True(Assert.Single(message.Content).TryPickText(out var text));
        Assert.Equal("thought hard", text.Text);
        Assert.Equal("high", (string?)upstream.LastRequest.Json["reasoning_effort"]);
    }

    [Fact]
    public async Task Official_sdk_raises_401_with_an_authentication_error()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var client = gateway.AnthropicClient("sk-not-a-real-key-0000000000");
        using var http = gateway.HttpClient(key: null);

        var exception = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => client.Messages.Create(Request("echo", [new UserMessageParam("hi")]), TestContext.Current.CancellationToken));
        using var missing = await http.PostAsync("/v1/messages", Requests.Json("""{"model":"echo","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, exception.StatusCode);
        AnthropicErrorAssert.Envelope(exception.ResponseBody, "authentication_error");
        await AnthropicErrorAssert.ReadAsync(missing, HttpStatusCode.Unauthorized, "authentication_error");
    }

    [Fact]
    public async Task Official_sdk_raises_404_for_an_unknown_model_and_403_outside_the_allow_list()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config => GatewayInstance.AddRestrictedKey(config, "echo"));
        using var client = gateway.AnthropicClient();
        using var restricted = gateway.AnthropicClient(GatewayInstance.RestrictedKey);

        var unknown = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => client.Messages.Create(Request("no-such-model", [new UserMessageParam("hi")]), TestContext.Current.CancellationToken));
        var forbidden = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => restricted.Messages.Create(Request("gpt-test", [new UserMessageParam("hi")]), TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        AnthropicErrorAssert.Envelope(unknown.ResponseBody, "not_found_error");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        AnthropicErrorAssert.Envelope(forbidden.ResponseBody, "permission_error");
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Refuses_a_request_without_max_tokens_as_anthropic_does()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/messages", Requests.Json("""{"model":"echo","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        var error = await AnthropicErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error");
        Assert.Contains("max_tokens", (string?)error["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_an_upstream_failure_with_a_502_api_error()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.LeakyError(upstream), 500);
        using var client = gateway.AnthropicClient();

        var exception = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => client.Messages.Create(Request("gpt-test", [new UserMessageParam("hi")]), TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.BadGateway, exception.StatusCode);
        AnthropicErrorAssert.Envelope(exception.ResponseBody, "api_error");
    }

    [Fact]
    public async Task Ends_a_stream_with_an_error_event_when_the_upstream_fails_mid_stream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueSse([UpstreamAnswers.Chunk("""{"role":"assistant","content":"Hi"}"""), "data: " + UpstreamAnswers.LeakyError(upstream)]);
        using var http = gateway.HttpClient();
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");

        using var response = await http.PostAsync("/v1/messages",
            Requests.Json("""{"model":"gpt-test","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}"""),
            TestContext.Current.CancellationToken);
        var frames = await SseEvents.ReadItemsAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("message_start", frames[0].EventType);
        Assert.Contains(frames, f => f.EventType == "content_block_delta" && f.Data.Contains("\"Hi\"", StringComparison.Ordinal));
        Assert.Equal("error", frames[^1].EventType);
        AnthropicErrorAssert.Envelope(frames[^1].Data, "api_error");
        Assert.DoesNotContain(frames, f => f.EventType == "message_stop");
    }

    [Fact]
    public async Task Relays_a_claude_code_conversation_through_an_openai_upstream_event_by_event()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueSse(FixtureFiles.Text("OpenAI/claude-code.upstream.sse").Split("\n\n", StringSplitOptions.RemoveEmptyEntries));
        using var client = gateway.AnthropicClient();
        var body = FixtureFiles.Json("Anthropic/claude-code.request.json").AsObject().ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value));
        var headers = new Dictionary<string, JsonElement> { ["anthropic-beta"] = JsonSerializer.SerializeToElement("claude-code-20250219,interleaved-thinking-2025-05-14") };

        var events = await AnthropicEvents.ReadAsync(client, MessageCreateParams.FromRawUnchecked(headers, new Dictionary<string, JsonElement>(), body));

        var expectedEvents = FixtureFiles.Json("Anthropic/claude-code.events.json").AsArray();
        Assert.Equal(expectedEvents.Count, events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            Assert.True(JsonNode.DeepEquals(expectedEvents[i], events[i]), $"event {i}: {events[i].ToJsonString()}");
        }

        var sent = upstream.LastRequest;
        Assert.Equal("/v1/chat/completions", sent.Path);
        Assert.True(JsonNode.DeepEquals(FixtureFiles.Json("OpenAI/claude-code.upstream-request.json"), sent.Json), sent.BodyText);
    }

    private static MessageCreateParams Request(string model, List<MessageParam> messages, List<ToolUnion>? tools = null) => new()
    {
        Model = model,
        MaxTokens = 512,
        Messages = messages,
        Tools = tools,
    };

    private static string ArgumentsChunk(int index, string arguments) =>
        UpstreamAnswers.Chunk($$$"""{"tool_calls":[{"index":{{{index}}},"function":{"arguments":{{{JsonSerializer.Serialize(arguments)}}}}}]}""");
}
