using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.OpenAI.Responses;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests;

/// <summary>Tools fitted to each upstream dialect, and the calls coming back mapped onto the client's tools.</summary>
public sealed class UpstreamAdapterTests
{
    // The tool kinds the Codex CLI sends, shortened: a namespace of a function and a grammar tool, a free-form tool, cache-only search.
    private const string CodexRequest = """
        {"model":"claude-test","input":[
           {"type":"message","role":"user","content":"go"},
           {"type":"function_call","call_id":"c1","namespace":"multi_agent_v1","name":"close_agent","arguments":"{\"target\":\"a\"}"},
           {"type":"function_call_output","call_id":"c1","output":"closed"},
           {"type":"custom_tool_call","call_id":"c2","name":"apply_patch","input":"*** Begin Patch"},
           {"type":"custom_tool_call_output","call_id":"c2","output":"Done!"}],
         "tools":[
           {"type":"function","name":"exec_command","parameters":{"type":"object","properties":{"cmd":{"type":"string"}}}},
           {"type":"namespace","name":"multi_agent_v1","description":"Tools for sub-agents.","tools":[
             {"type":"function","name":"close_agent","parameters":{"type":"object","properties":{"target":{"type":"string"}}}},
             {"type":"custom","name":"spawn","description":"Spawn one.","format":{"type":"grammar","syntax":"lark","definition":"start: /.+/"}}]},
           {"type":"custom","name":"apply_patch","description":"Edit files."},
           {"type":"web_search","external_web_access":false}],
         "prompt_cache_key":"k1","client_metadata":{"x":"y"}}
        """;

    [Fact]
    public void Flattens_namespaces_and_free_form_tools_into_functions_for_an_anthropic_upstream()
    {
        var request = ReadResponses(CodexRequest);

        var written = Write(AnthropicMessagesDialect.Instance, UpstreamAdapter.For(request, AnthropicMessagesDialect.Instance.Abilities, upstreamSearch: false).Request);

        JsonAssert.Equal(JsonAssert.Parse("""
            [{"name":"exec_command","input_schema":{"type":"object","properties":{"cmd":{"type":"string"}}}},
             {"name":"multi_agent_v1__close_agent","description":"(One of the multi_agent_v1 tools: Tools for sub-agents.)","input_schema":{"type":"object","properties":{"target":{"type":"string"}}}},
             {"name":"multi_agent_v1__spawn","description":"Spawn one.\n\nThe input must match this lark grammar:\nstart: /.+/\n\n(One of the multi_agent_v1 tools: Tools for sub-agents.)",
              "input_schema":{"type":"object","properties":{"input":{"type":"string","description":"The tool's input, as free-form text."}},"required":["input"]}},
             {"name":"apply_patch","description":"Edit files.","input_schema":{"type":"object","properties":{"input":{"type":"string","description":"The tool's input, as free-form text."}},"required":["input"]}}]
            """), written["tools"]);
        JsonAssert.Equal(JsonAssert.Parse("""
            [{"role":"user","content":[{"type":"text","text":"go"}]},
             {"role":"assistant","content":[{"type":"tool_use","id":"c1","name":"multi_agent_v1__close_agent","input":{"target":"a"}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"c1","content":"closed"}]},
             {"role":"assistant","content":[{"type":"tool_use","id":"c2","name":"apply_patch","input":{"input":"*** Begin Patch"}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"c2","content":"Done!"}]}]
            """), written["messages"]);
        Assert.Equal(Sorted(["tools[3]=dropped", "client_metadata=dropped", "prompt_cache_key=dropped"]), Sorted([.. request.Adjustments.Entries]));
    }

    [Fact]
    public void Maps_calls_in_the_answer_back_to_their_namespace_and_free_form_input()
    {
        var adapter = UpstreamAdapter.For(ReadResponses(CodexRequest), AnthropicMessagesDialect.Instance.Abilities, upstreamSearch: false);
        var answer = AnthropicMessagesDialect.Instance.ReadResponse(Encoding.UTF8.GetBytes("""
            {"id":"msg_1","type":"message","role":"assistant","model":"claude","stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1},
             "content":[{"type":"tool_use","id":"t1","name":"multi_agent_v1__close_agent","input":{"target":"b"}},
                        {"type":"tool_use","id":"t2","name":"apply_patch","input":{"input":"*** Begin Patch\n*** End Patch"}},
                        {"type":"tool_use","id":"t3","name":"exec_command","input":{"cmd":"ls"}}]}
            """));

        var restored = adapter.Restore(answer);

        var output = JsonAssert.Parse(WriteResponse(OpenAIResponsesDialect.Instance, restored))["output"]!.AsArray();
        Assert.Equal(
            [("function_call", "close_agent", "multi_agent_v1"), ("custom_tool_call", "apply_patch", null), ("function_call", "exec_command", null)],
            output.Select(i => ((string?)i!["type"], (string?)i["name"], (string?)i["namespace"])));
        Assert.Equal("*** Begin Patch\n*** End Patch", (string?)output[1]!["input"]);
        Assert.Null(output[1]!["arguments"]);
        Assert.Equal("""{"target":"b"}""", (string?)output[0]!["arguments"]);
    }

    [Fact]
    public async Task Maps_streamed_calls_back_and_writes_free_form_input_whole()
    {
        var adapter = UpstreamAdapter.For(ReadResponses(CodexRequest), GeminiGenerateDialect.Instance.Abilities, upstreamSearch: false);
        StreamEvent[] upstream =
        [
            new ResponseStarted("r1", "gemini"),
            new PartStarted(0, PartKind.ToolCall) { ToolCallId = "call_1", ToolName = "multi_agent_v1__spawn" },
            new ToolArgumentsDelta(0, """{"input":"sub"""),
            new ToolArgumentsDelta(0, """agent one"}"""),
            new PartCompleted(0),
            new ResponseCompleted(FinishReason.ToolCalls, Usage.Empty),
        ];

        var events = await adapter.Restore(upstream.ToAsyncEnumerable(), TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
        var frames = await OpenAIResponsesDialect.Instance.WriteStream(events.ToAsyncEnumerable(), new StreamWriteOptions { Model = "claude-test" }, TestContext.Current.CancellationToken)
            .ToListAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new PartStarted(0, PartKind.ToolCall) { ToolCallId = "call_1", ToolName = "spawn", ToolNamespace = "multi_agent_v1", FreeForm = true }, events[1]);
        var types = frames.Select(f => f.EventType).ToList();
        Assert.DoesNotContain("response.function_call_arguments.delta", types);
        var delta = JsonAssert.Parse(frames.Single(f => f.EventType == "response.custom_tool_call_input.delta").Data.Span);
        Assert.Equal("subagent one", (string?)delta["delta"]);
        var done = JsonAssert.Parse(frames.Single(f => f.EventType == "response.output_item.done").Data.Span)["item"]!;
        JsonAssert.Equal(JsonAssert.WithoutNulls(done), JsonAssert.Parse($$"""
            {"id":"{{(string?)done["id"]}}","type":"custom_tool_call","status":"completed","call_id":"call_1","name":"spawn","namespace":"multi_agent_v1","input":"subagent one"}
            """));
    }

    [Fact]
    public void Keeps_namespaces_and_custom_tools_native_for_a_responses_upstream()
    {
        var request = ReadResponses(CodexRequest);

        var written = Write(OpenAIResponsesDialect.Instance, UpstreamAdapter.For(request, OpenAIResponsesDialect.Instance.Abilities, upstreamSearch: true).Request);

        JsonAssert.Equal(JsonAssert.Parse("""
            [{"type":"function","name":"exec_command","parameters":{"type":"object","properties":{"cmd":{"type":"string"}}}},
             {"type":"namespace","name":"multi_agent_v1","description":"Tools for sub-agents.","tools":[
               {"type":"function","name":"close_agent","parameters":{"type":"object","properties":{"target":{"type":"string"}}}},
               {"type":"custom","name":"spawn","description":"Spawn one.","format":{"type":"grammar","syntax":"lark","definition":"start: /.+/"}}]},
             {"type":"custom","name":"apply_patch","description":"Edit files.","format":{"type":"text"}},
             {"type":"web_search","external_web_access":false}]
            """), written["tools"]);
        Assert.Equal(
            [("function_call", "multi_agent_v1", null, """{"target":"a"}"""), ("custom_tool_call", null, "*** Begin Patch", null)],
            written["input"]!.AsArray().Where(i => ((string?)i!["type"])!.EndsWith("call", StringComparison.Ordinal))
                .Select(i => ((string?)i!["type"], (string?)i["namespace"], (string?)i["input"], (string?)i["arguments"])));
        Assert.Equal(["function_call_output", "custom_tool_call_output"], written["input"]!.AsArray().Select(i => (string?)i!["type"]).Where(t => t!.EndsWith("output", StringComparison.Ordinal)));
        Assert.Equal("k1", (string?)written["prompt_cache_key"]);
    }

    [Fact]
    public void Gives_too_long_or_invalid_names_a_short_stable_name_that_maps_back()
    {
        var longName = new string('x', 70);
        var body = $$"""
            {"model":"m","input":"go","tools":[
              {"type":"namespace","name":"mcp.server","description":"d","tools":[{"type":"function","name":"{{longName}}"},{"type":"function","name":"{{longName}}y"}]},
              {"type":"function","name":"9lives"}]}
            """;

        var first = UpstreamAdapter.For(ReadResponses(body), GeminiGenerateDialect.Instance.Abilities, upstreamSearch: false);
        var second = UpstreamAdapter.For(ReadResponses(body), GeminiGenerateDialect.Instance.Abilities, upstreamSearch: false);

        var names = first.Request.Tools!.Select(t => t.Name).ToList();
        Assert.All(names, name => Assert.True(UpstreamAdapter.IsValidName(name), name));
        Assert.Equal(3, names.Distinct().Count());
        Assert.Equal(names, second.Request.Tools!.Select(t => t.Name));
        Assert.StartsWith("mcp_server__xxx", names[0], StringComparison.Ordinal);
        Assert.Equal("_9lives", names[2]);
        var restored = first.Restore(new ChatResponse
        {
            Id = "r",
            Model = "m",
            Parts = [new ToolCallPart("c", names[1], "{}"), new ToolCallPart("d", names[2], "{}")],
        });
        Assert.Equal([("mcp.server", longName + "y"), (null, "9lives")], restored.Parts.Cast<ToolCallPart>().Select(c => (c.Namespace, c.Name)));
    }

    [Theory]
    [InlineData("file_search", "anthropic-messages")]
    [InlineData("code_interpreter", "gemini-generate")]
    [InlineData("image_generation", "openai-chat")]
    [InlineData("local_shell", "anthropic-messages")]
    [InlineData("web_search", "anthropic-messages")]
    public void Refuses_a_hosted_tool_the_upstream_lacks_naming_the_tool_and_the_model(string type, string upstream)
    {
        var request = ReadResponses($$$"""{"model":"claude-test","input":"Hi","tools":[{"type":"function","name":"f"},{"type":"{{{type}}}"}]}""");

        var exception = Assert.Throws<GatewayException>(() => UpstreamAdapter.For(request, Codec(upstream).Abilities, upstreamSearch: false));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Contains($"'{type}'", exception.Error.Message, StringComparison.Ordinal);
        Assert.Contains("'claude-test'", exception.Error.Message, StringComparison.Ordinal);
        Assert.Equal("tools[1]", exception.Error.Param);
    }

    [Fact]
    public void Drops_an_optional_hosted_tool_and_reports_it_unless_strict_params_is_set()
    {
        const string Body = """{"model":"claude-test","input":"Hi","tools":[{"type":"web_search","external_web_access":false},{"type":"tool_search"}]}""";
        var lenient = ReadResponses(Body);
        var strict = ReadResponses(Body.Replace("\"input\"", "\"strict_params\":true,\"input\"", StringComparison.Ordinal));

        var adapted = UpstreamAdapter.For(lenient, AnthropicMessagesDialect.Instance.Abilities, upstreamSearch: false).Request;
        var exception = Assert.Throws<GatewayException>(() => UpstreamAdapter.For(strict, AnthropicMessagesDialect.Instance.Abilities, upstreamSearch: false));

        Assert.Empty(adapted.HostedTools!);
        Assert.Equal(["tools[0]=dropped", "tools[1]=dropped"], lenient.Adjustments.Entries);
        Assert.Equal("tools[0]", exception.Error.Param);
    }

    [Fact]
    public void Declares_anthropic_defined_client_tools_as_functions_with_their_documented_input()
    {
        var request = AnthropicMessagesDialect.Instance.ReadRequest(Encoding.UTF8.GetBytes("""
            {"model":"m","max_tokens":100,"messages":[{"role":"user","content":"fix it"}],
             "tools":[{"type":"bash_20250124","name":"bash"},{"type":"text_editor_20250728","name":"str_replace_based_edit_tool"}]}
            """), new ParamAdjustments());

        var written = Write(ChatCompletionsDialect.Instance, UpstreamAdapter.For(request, ChatCompletionsDialect.Instance.Abilities, upstreamSearch: false).Request);

        var tools = written["tools"]!.AsArray();
        Assert.Equal(["bash", "str_replace_based_edit_tool"], tools.Select(t => (string?)t!["function"]!["name"]));
        Assert.Equal(["command", "path"], tools[1]!["function"]!["parameters"]!["required"]!.AsArray().Select(r => (string?)r));
        Assert.Equal("string", (string?)tools[0]!["function"]!["parameters"]!["properties"]!["command"]!["type"]);
    }

    [Fact]
    public void Never_turns_a_cache_only_search_into_a_live_one()
    {
        var request = ReadResponses("""{"model":"claude-test","input":"Hi","tools":[{"type":"web_search","external_web_access":false}]}""");

        var adapted = UpstreamAdapter.For(request, AnthropicMessagesDialect.Instance.Abilities, upstreamSearch: true).Request;

        Assert.Empty(adapted.HostedTools!);
        Assert.Equal(["tools[0]=dropped"], request.Adjustments.Entries);
    }

    [Theory]
    [InlineData("anthropic-messages", "tools", """{"type":"web_search_20250305","name":"web_search","allowed_domains":["example.com"],"user_location":{"type":"approximate","city":"Paris","country":"FR"}}""")]
    [InlineData("gemini-generate", "tools", """{"google_search":{}}""")]
    [InlineData("openai-chat", "web_search_options", """{"user_location":{"type":"approximate","approximate":{"city":"Paris","country":"FR"}}}""")]
    [InlineData("openai-responses", "tools", """{"type":"web_search","filters":{"allowed_domains":["example.com"]},"user_location":{"type":"approximate","city":"Paris","country":"FR"}}""")]
    public void Sends_web_search_natively_where_the_provider_has_search(string upstream, string field, string expected)
    {
        // An Anthropic client's server tool, so Responses is a translation too.
        var request = AnthropicMessagesDialect.Instance.ReadRequest(Encoding.UTF8.GetBytes("""
            {"model":"m","max_tokens":100,"messages":[{"role":"user","content":"news?"}],
             "tools":[{"type":"web_search_20250305","name":"web_search","allowed_domains":["example.com"],"user_location":{"type":"approximate","city":"Paris","country":"FR"}}]}
            """), new ParamAdjustments());

        var adapted = UpstreamAdapter.For(request, Codec(upstream).Abilities, upstreamSearch: true).Request;
        var written = Write(Codec(upstream), adapted);

        var sent = written[field] is JsonArray array ? array[^1] : written[field];
        JsonAssert.Equal(JsonAssert.Parse(expected), sent);
    }

    private static ChatDialect Codec(string dialect) => DialectRegistry.All.OfType<ChatDialect>().Single(d => d.Name == dialect);

    private static string[] Sorted(string[] entries) => entries.Order(StringComparer.Ordinal).ToArray();

    private static ChatRequest ReadResponses(string body) =>
        OpenAIResponsesDialect.Instance.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments());

    private static JsonNode Write(ChatDialect dialect, ChatRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>();
        dialect.WriteRequest(request, "upstream-model", buffer);
        return JsonAssert.Parse(buffer.WrittenSpan);
    }

    private static byte[] WriteResponse(ChatDialect dialect, ChatResponse response)
    {
        var buffer = new ArrayBufferWriter<byte>();
        dialect.WriteResponse(response, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
