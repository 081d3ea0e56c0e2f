using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Forwarding;

/// <summary>
/// The tool kinds coding agents send, end to end on real Kestrel: requests shaped as the Codex CLI
/// (0.169) and Claude Code (2.1) send them — these clients use no SDK, so neither do the tests —
/// against fake upstreams of other dialects, asserting what the client got and what the upstream received.
/// </summary>
public sealed class AgentToolsTests
{
    // The Codex CLI's first request, cut down: tools[4] is the namespace that used to be refused.
    private const string CodexTurnOne = """
        {"model":"claude-test","stream":true,"store":false,"include":["reasoning.encrypted_content"],
         "prompt_cache_key":"01a2431b","parallel_tool_calls":true,"tool_choice":"auto","reasoning":{"summary":"auto"},
         "client_metadata":{"x-codex-window-id":"w1"},
         "input":[
           {"type":"message","role":"developer","content":[{"type":"input_text","text":"You are a coding agent."}]},
           {"type":"message","role":"user","content":[{"type":"input_text","text":"write hello to a.txt"}]}],
         "tools":[
           {"type":"function","name":"exec_command","description":"Runs a command.","strict":false,
            "parameters":{"type":"object","properties":{"cmd":{"type":"string"}},"required":["cmd"],"additionalProperties":false}},
           {"type":"function","name":"write_stdin","strict":false,"parameters":{"type":"object","properties":{"chars":{"type":"string"}}}},
           {"type":"function","name":"request_user_input","strict":false,"parameters":{"type":"object","properties":{}}},
           {"type":"function","name":"view_image","strict":false,"parameters":{"type":"object","properties":{"path":{"type":"string"}}}},
           {"type":"namespace","name":"multi_agent_v1","description":"Tools for spawning and managing sub-agents.","tools":[
             {"type":"function","name":"close_agent","strict":false,"parameters":{"type":"object","properties":{"target":{"type":"string"}},"required":["target"]}}]},
           {"type":"custom","name":"apply_patch","description":"Edit files with a patch.","format":{"type":"grammar","syntax":"lark","definition":"start: begin_patch hunk+ end_patch"}},
           {"type":"web_search","external_web_access":false}]}
        """;

    [Fact]
    public async Task Codex_reaches_an_anthropic_model_and_its_second_turn_carries_the_signed_thinking_back()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        upstream.EnqueueSse(
        [
            AnthropicAnswers.MessageStart(),
            AnthropicAnswers.ThinkingStart(0),
            AnthropicAnswers.ThinkingDelta(0, "Write the file."),
            AnthropicAnswers.SignatureDelta(0, AnthropicAnswers.Signature),
            AnthropicAnswers.BlockStop(0),
            AnthropicAnswers.ToolUseStart(1, "toolu_01A", "apply_patch"),
            AnthropicAnswers.InputJsonDelta(1, """{"input":"*** Begin Patch\n+hello\n"""),
            AnthropicAnswers.InputJsonDelta(1, """*** End Patch"}"""),
            AnthropicAnswers.BlockStop(1),
            AnthropicAnswers.ToolUseStart(2, "toolu_01B", "multi_agent_v1__close_agent"),
            AnthropicAnswers.InputJsonDelta(2, """{"target":"a1"}"""),
            AnthropicAnswers.BlockStop(2),
            AnthropicAnswers.MessageDelta("tool_use"),
            AnthropicAnswers.MessageStop(),
        ]);
        upstream.EnqueueSse(AnthropicAnswers.TextStream("Done."));
        using var http = gateway.HttpClient();

        using var first = await http.PostAsync("/v1/responses", Requests.Json(CodexTurnOne), TestContext.Current.CancellationToken);
        var events = ResponsesEvents.Read(await SseEvents.ReadItemsAsync(first));
        var output = events.Single(e => (string?)e["type"] == "response.completed")["response"]!["output"]!.AsArray();
        var secondBody = JsonNode.Parse(CodexTurnOne)!.AsObject();
        var input = secondBody["input"]!.AsArray();
        foreach (var item in output)
        {
            input.Add(item!.DeepClone());
        }

        input.Add(new JsonObject { ["type"] = "custom_tool_call_output", ["call_id"] = "toolu_01A", ["output"] = "Done!" });
        input.Add(new JsonObject { ["type"] = "function_call_output", ["call_id"] = "toolu_01B", ["output"] = "closed" });
        using var second = await http.PostAsync("/v1/responses", Requests.Json(secondBody.ToJsonString()), TestContext.Current.CancellationToken);
        var secondEvents = ResponsesEvents.Read(await SseEvents.ReadItemsAsync(second));

        // What Codex got: its own tool kinds back, the free-form input whole.
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("client_metadata=dropped, prompt_cache_key=dropped, tools[6]=dropped", string.Join(", ", first.Headers.GetValues("X-Param-Adjustments")));
        Assert.Equal(["reasoning", "custom_tool_call", "function_call"], output.Select(i => (string?)i!["type"]));
        Assert.Equal(("apply_patch", "*** Begin Patch\n+hello\n*** End Patch"), ((string?)output[1]!["name"], (string?)output[1]!["input"]));
        Assert.Equal(("close_agent", "multi_agent_v1", """{"target":"a1"}"""), ((string?)output[2]!["name"], (string?)output[2]!["namespace"], (string?)output[2]!["arguments"]));
        Assert.Contains(events, e => (string?)e["type"] == "response.custom_tool_call_input.done" && (string?)e["input"] == "*** Begin Patch\n+hello\n*** End Patch");
        Assert.Equal("Done.", (string?)secondEvents.Single(e => (string?)e["type"] == "response.output_text.done")["text"]);

        // What Claude got: functions under valid names, the web search dropped, and on turn two its signed thinking.
        var requests = upstream.Requests.ToArray();
        Assert.Equal(
            ["exec_command", "write_stdin", "request_user_input", "view_image", "multi_agent_v1__close_agent", "apply_patch"],
            requests[0].Json["tools"]!.AsArray().Select(t => (string?)t!["name"]));
        Assert.Contains("lark grammar", (string?)requests[0].Json["tools"]![5]!["description"], StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"role":"assistant","content":[
              {"type":"thinking","thinking":"Write the file.","signature":"EqQBCkgIARABGAIiQKx3/9+Zq1vJ0mOSig8Lk1T0uPcm5Ttm+2rDvUQ3m1e7B0fB0Xw=="},
              {"type":"tool_use","id":"toolu_01A","name":"apply_patch","input":{"input":"*** Begin Patch\n+hello\n*** End Patch"}},
              {"type":"tool_use","id":"toolu_01B","name":"multi_agent_v1__close_agent","input":{"target":"a1"}}]}
            """), requests[1].Json["messages"]![1]), requests[1].BodyText);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"Done!"},{"type":"tool_result","tool_use_id":"toolu_01B","content":"closed"}]}
            """), requests[1].Json["messages"]![2]), requests[1].BodyText);
    }

    [Fact]
    public async Task Refuses_a_hosted_tool_the_upstream_lacks_naming_the_tool_and_the_model()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/responses", Requests.Json("""
            {"model":"claude-test","input":"Hi","tools":[{"type":"code_interpreter","container":{"type":"auto"}}]}
            """), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = OpenAIErrorAssert.Envelope(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), "invalid_request_error", null);
        Assert.Equal("tools[0]", (string?)error["param"]);
        Assert.Contains("'code_interpreter'", (string?)error["message"], StringComparison.Ordinal);
        Assert.Contains("'claude-test'", (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Passes_every_tool_kind_to_a_responses_upstream_untouched()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
        {
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "gpt-pro", ["provider"] = "oai", ["model"] = "gpt-pro-upstream", ["api"] = "responses" });

            // The fake upstream is on loopback, a private network, where the gateway holds media
            // URLs to its address policy; the MCP server's host is declared trusted.
            config["media"] = new JsonObject { ["allowHosts"] = new JsonArray("mcp.example") };
        });
        upstream.EnqueueJson(ResponsesAnswers.Text("ok"));
        var body = JsonNode.Parse(CodexTurnOne)!.AsObject();
        body["model"] = "gpt-pro";
        body["stream"] = false;
        body["tools"]!.AsArray().Add(JsonNode.Parse("""{"type":"code_interpreter","container":{"type":"auto"}}"""));
        body["tools"]!.AsArray().Add(JsonNode.Parse("""{"type":"mcp","server_label":"docs","server_url":"https://mcp.example/sse","require_approval":"never"}"""));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/responses", Requests.Json(body.ToJsonString()), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = upstream.LastRequest.Json;
        Assert.Equal("gpt-pro-upstream", (string?)sent["model"]);
        sent["model"] = "gpt-pro";
        Assert.True(JsonNode.DeepEquals(body, sent), sent.ToJsonString());
    }

    [Fact]
    public async Task An_interrupted_stream_ends_with_an_error_event_and_a_retry_of_the_whole_turn_completes()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        // The upstream stops mid-answer: no message_stop. (A cleanly closed body, not a reset, so the
        // frames before it surely arrive and the answer has begun when the stream breaks.)
        upstream.EnqueueSse([AnthropicAnswers.MessageStart(), AnthropicAnswers.TextStart(0), AnthropicAnswers.TextDelta(0, "Hal")]);
        upstream.EnqueueSse(AnthropicAnswers.TextStream("Hello", " again."));
        using var http = gateway.HttpClient();
        const string Turn = """{"model":"claude-test","stream":true,"store":false,"input":"Say hello."}""";

        using var first = await http.PostAsync("/v1/responses", Requests.Json(Turn), TestContext.Current.CancellationToken);
        var broken = ResponsesEvents.Types(ResponsesEvents.Read(await SseEvents.ReadItemsAsync(first)));
        using var retry = await http.PostAsync("/v1/responses", Requests.Json(Turn), TestContext.Current.CancellationToken);
        var resumed = ResponsesEvents.Read(await SseEvents.ReadItemsAsync(retry));

        Assert.Equal("response.failed", broken[^1]);
        Assert.DoesNotContain("response.completed", broken);
        Assert.Equal("Hello again.", (string?)resumed.Single(e => (string?)e["type"] == "response.output_text.done")["text"]);
        Assert.Equal("response.completed", (string?)resumed[^1]["type"]);
        var requests = upstream.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.True(JsonNode.DeepEquals(requests[0].Json, requests[1].Json), requests[1].BodyText);
    }

    [Fact]
    public async Task A_chat_clients_custom_tool_reaches_gemini_as_a_function_and_its_call_comes_back_as_free_form_input()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream);
        upstream.EnqueueJson(GeminiAnswers.Response("""[{"functionCall":{"name":"apply_patch","args":{"input":"*** Begin Patch\n*** End Patch"}}}]"""));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""
            {"model":"gemini-test","messages":[{"role":"user","content":"patch it"}],
             "tools":[{"type":"custom","custom":{"name":"apply_patch","description":"Edit files.","format":{"type":"grammar","grammar":{"syntax":"regex","definition":"^\\*\\*\\* Begin Patch[\\s\\S]*$"}}}}],
             "tool_choice":{"type":"custom","custom":{"name":"apply_patch"}}}
            """), TestContext.Current.CancellationToken);
        var message = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["choices"]![0]!["message"]!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var call = message["tool_calls"]![0]!;
        Assert.Equal(("custom", "apply_patch", "*** Begin Patch\n*** End Patch"), ((string?)call["type"], (string?)call["custom"]!["name"], (string?)call["custom"]!["input"]));
        var sent = upstream.LastRequest.Json;
        var declared = sent["tools"]![0]!["functionDeclarations"]![0]!;
        Assert.Equal("apply_patch", (string?)declared["name"]);
        Assert.Contains("regex grammar", (string?)declared["description"], StringComparison.Ordinal);
        Assert.Equal("string", (string?)declared["parameters"]!["properties"]!["input"]!["type"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["apply_patch"]}}"""), sent["toolConfig"]), sent.ToJsonString());
    }
}
