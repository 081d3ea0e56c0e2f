using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.OpenAI.Responses;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.OpenAI.Responses;

/// <summary>Client requests and upstream answers in the Responses API's shape, read into the neutral model.</summary>
public sealed class ResponsesMappingTests
{
    private const string ConversationRequest = "openai-responses/conversation.request.json";
    private const string ReasoningToolCallResponse = "openai-responses/reasoning-tool-call.response.json";
    private const string MinimalRequest = """{"model":"gpt-5","input":"Hi"}""";

    private static readonly OpenAIResponsesDialect Dialect = OpenAIResponsesDialect.Instance;

    [Fact]
    public void Reads_a_string_input_as_one_user_message()
    {
        var request = Read(MinimalRequest);

        Assert.Equal("gpt-5", request.Model);
        Assert.Equal([ChatMessage.FromText(Role.User, "Hi")], request.Messages, MessageComparer.Instance);
        Assert.False(request.Stream);
        Assert.Null(request.Tools);
        Assert.Null(request.Reasoning);
        Assert.Null(request.ResponseFormat);
    }

    [Fact]
    public void Reads_instructions_as_a_developer_message_before_the_input()
    {
        var request = Read(Merge(MinimalRequest, """{"instructions":"Be terse."}"""));

        Assert.Equal([Role.Developer, Role.User], request.Messages.Select(m => m.Role));
        Assert.Equal("Be terse.", request.Messages[0].Text);
    }

    [Fact]
    public void Reads_every_item_kind_of_a_conversation_in_order()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        Assert.Equal([Role.Developer, Role.Developer, Role.User, Role.Assistant, Role.Tool, Role.Tool, Role.User], request.Messages.Select(m => m.Role));
        Assert.StartsWith("You are Codex", request.Messages[0].Text, StringComparison.Ordinal);
        Assert.StartsWith("<environment_context>", request.Messages[1].Text, StringComparison.Ordinal);
        Assert.Equal(
            [typeof(TextPart), typeof(ImagePart), typeof(ImagePart), typeof(DocumentPart)],
            request.Messages[2].Parts.Select(p => p.GetType()));
        Assert.Equal(
            [typeof(ReasoningPart), typeof(TextPart), typeof(ToolCallPart), typeof(ToolCallPart)],
            request.Messages[3].Parts.Select(p => p.GetType()));
        Assert.Equal("Please fix it.", request.LastUserText);
    }

    [Fact]
    public void Reads_input_text_images_by_data_url_and_by_url_and_an_inline_file()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var parts = request.Messages[2].Parts;
        Assert.Equal("The build fails. Here is a screenshot, the CI page and the build spec.", Assert.IsType<TextPart>(parts[0]).Text);
        var inline = Assert.IsType<ImagePart>(parts[1]);
        Assert.Equal("image/png", inline.MediaType);
        Assert.StartsWith("iVBORw0KGgo", inline.Base64Data, StringComparison.Ordinal);
        Assert.Equal("high", inline.Detail);
        Assert.Null(inline.Url);
        var linked = Assert.IsType<ImagePart>(parts[2]);
        Assert.Equal("https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg", linked.Url);
        Assert.Equal("auto", linked.Detail);
        Assert.Null(linked.Base64Data);
        var file = Assert.IsType<DocumentPart>(parts[3]);
        Assert.Equal("application/pdf", file.MediaType);
        Assert.Equal("JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K", file.Base64Data);
        Assert.Equal("build-spec.pdf", file.FileName);
    }

    [Fact]
    public void Reads_a_reasoning_item_with_its_summaries_encrypted_content_and_id()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);
        var item = FixtureFiles.Json(ConversationRequest)["input"]![2]!;

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var reasoning = Assert.IsType<ReasoningPart>(request.Messages[3].Parts[0]);
        Assert.Equal("**Reproducing the failure**\n\nI should run the build first.\n\n**Reading the entry point**\n\nThen read Program.cs.", reasoning.Text);
        Assert.Equal(item["encrypted_content"]!.GetValue<string>(), reasoning.EncryptedContent);
        Assert.Equal(item["id"]!.GetValue<string>(), reasoning.Extensions![ResponsesMapping.ItemIdKey].GetString());
    }

    [Fact]
    public void Reads_assistant_output_text_and_function_calls_into_one_assistant_turn()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var assistant = request.Messages[3].Parts;
        Assert.Equal("Let me run the build and read the entry point.", Assert.IsType<TextPart>(assistant[1]).Text);
        Assert.Equal(
            [
                new ToolCallPart("call_Xk2mZ8GJbQk5r1XrGFhYHt7B", "shell", """{"command":["dotnet","build"],"workdir":"/repo"}"""),
                new ToolCallPart("call_9fTq1LwP0sDn3VbY6cHjKe2M", "read_file", """{"path":"/repo/src/Program.cs"}"""),
            ],
            assistant.OfType<ToolCallPart>());
    }

    [Fact]
    public void Reads_function_call_outputs_given_as_a_string_or_as_content_parts()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var shell = Assert.IsType<ToolResultPart>(Assert.Single(request.Messages[4].Parts));
        Assert.Equal("call_Xk2mZ8GJbQk5r1XrGFhYHt7B", shell.ToolCallId);
        Assert.Equal([new TextPart("""{"output":"Program.cs(2,25): error CS1002: ; expected","metadata":{"exit_code":1,"duration_seconds":4.2}}""")], shell.Content);
        var read = Assert.IsType<ToolResultPart>(Assert.Single(request.Messages[5].Parts));
        Assert.Equal("call_9fTq1LwP0sDn3VbY6cHjKe2M", read.ToolCallId);
        Assert.Equal([new TextPart("using System;\nConsole.WriteLine(\"hi\")")], read.Content);
    }

    [Fact]
    public void Reads_tools_tool_choice_text_format_reasoning_and_the_remaining_options()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);
        var json = FixtureFiles.Json(ConversationRequest);
        var adjustments = new ParamAdjustments();

        var request = Dialect.ReadRequest(body, adjustments);

        var tools = request.Tools!;
        Assert.Equal(["shell", "read_file"], tools.Select(t => t.Name));
        Assert.Equal("Runs a shell command and returns its output.", tools[0].Description);
        JsonAssert.Equal(json["tools"]![0]!["parameters"], Node(tools[0].Parameters));
        Assert.Equal([false, true], tools.Select(t => t.Strict));
        Assert.Equal(ToolChoice.Auto, request.ToolChoice);
        Assert.False(request.ParallelToolCalls);
        var format = request.ResponseFormat!;
        Assert.Equal(ResponseFormatKind.JsonSchema, format.Kind);
        Assert.Equal("fix_report", format.Name);
        Assert.Equal("What was changed and why", format.Description);
        Assert.True(format.Strict);
        JsonAssert.Equal(json["text"]!["format"]!["schema"], Node(format.Schema));
        Assert.Equal(new ReasoningOptions { Effort = "high", Summary = "auto" }, request.Reasoning);
        Assert.Equal(32000, request.MaxOutputTokens);
        Assert.Equal(1, request.Temperature);
        Assert.Equal(0.95, request.TopP);
        JsonAssert.Equal(json["metadata"], Node(request.Metadata));
        Assert.Equal("user-1234", request.User);
        Assert.True(request.Stream);
        Assert.Equal("0199c8a5-3f1e-7d22-9a4b-5c6d7e8f9a0b", request.PromptCacheKey);
        Assert.True(adjustments.IsEmpty);
    }

    [Theory]
    [InlineData("\"auto\"", ToolChoiceMode.Auto, null)]
    [InlineData("\"none\"", ToolChoiceMode.None, null)]
    [InlineData("\"required\"", ToolChoiceMode.Required, null)]
    [InlineData("""{"type":"function","name":"get_weather"}""", ToolChoiceMode.Function, "get_weather")]
    public void Maps_tool_choice(string toolChoice, ToolChoiceMode mode, string? name)
    {
        var request = Read(Merge(MinimalRequest, $$"""{"tool_choice":{{toolChoice}}}"""));

        Assert.Equal(new ToolChoice(mode) { FunctionName = name }, request.ToolChoice);
    }

    [Theory]
    [InlineData("\"sometimes\"")]
    [InlineData("""{"type":"allowed_tools","mode":"auto","tools":[]}""")]
    [InlineData("3")]
    public void Rejects_a_tool_choice_it_cannot_express(string toolChoice)
    {
        var exception = Assert.Throws<GatewayException>(() => Read(Merge(MinimalRequest, $$"""{"tool_choice":{{toolChoice}}}""")));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.StartsWith("tool_choice", exception.Error.Param, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_a_json_object_format_and_treats_text_as_no_format()
    {
        var jsonObject = Read(Merge(MinimalRequest, """{"text":{"format":{"type":"json_object"}}}"""));
        var text = Read(Merge(MinimalRequest, """{"text":{"format":{"type":"text"},"verbosity":"low"}}"""));

        Assert.Equal(new ResponseFormat(ResponseFormatKind.JsonObject), jsonObject.ResponseFormat);
        Assert.Null(text.ResponseFormat);
    }

    [Fact]
    public void Rejects_a_json_schema_format_without_a_schema_object_as_unprocessable()
    {
        var exception = Assert.Throws<GatewayException>(() => Read(Merge(MinimalRequest, """{"text":{"format":{"type":"json_schema","name":"x","schema":"not a schema"}}}""")));

        Assert.Equal(GatewayErrorKind.Unprocessable, exception.Error.Kind);
        Assert.Equal("text.format.schema", exception.Error.Param);
    }

    [Fact]
    public void Rejects_an_unknown_text_format_naming_it()
    {
        var exception = Assert.Throws<GatewayException>(() => Read(Merge(MinimalRequest, """{"text":{"format":{"type":"grammar"}}}""")));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal("text.format.type", exception.Error.Param);
        Assert.Contains("'grammar'", exception.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"effort":"low"}""", "low", null, false)]
    [InlineData("""{"effort":"minimal","summary":"detailed"}""", "minimal", "detailed", false)]
    [InlineData("""{"summary":"concise"}""", null, "concise", false)]
    [InlineData("""{"effort":"none"}""", "none", null, true)]
    public void Reads_reasoning_effort_and_summary(string reasoning, string? effort, string? summary, bool disabled)
    {
        var request = Read(Merge(MinimalRequest, $$"""{"reasoning":{{reasoning}}}"""));

        Assert.Equal(new ReasoningOptions { Effort = effort, Summary = summary, Disabled = disabled }, request.Reasoning);
    }

    [Fact]
    public void Reads_no_reasoning_from_an_empty_reasoning_object()
    {
        var request = Read(Merge(MinimalRequest, """{"reasoning":{}}"""));

        Assert.Null(request.Reasoning);
    }

    [Theory]
    [InlineData("temperature", "2.5", 2.0, "temperature=clamped:2.5->2")]
    [InlineData("temperature", "-1", 0.0, "temperature=clamped:-1->0")]
    [InlineData("top_p", "1.5", 1.0, "top_p=clamped:1.5->1")]
    [InlineData("max_output_tokens", "0", 1.0, "max_output_tokens=clamped:0->1")]
    public void Clamps_an_out_of_range_parameter_and_reports_it(string param, string value, double clamped, string entry)
    {
        var adjustments = new ParamAdjustments();

        var request = Dialect.ReadRequest(Encoding.UTF8.GetBytes(Merge(MinimalRequest, $$"""{"{{param}}":{{value}}}""")), adjustments);

        Assert.Equal([entry], adjustments.Entries);
        var actual = param switch
        {
            "temperature" => request.Temperature,
            "top_p" => request.TopP,
            _ => request.MaxOutputTokens,
        };
        Assert.Equal(clamped, actual);
    }

    [Fact]
    public void Refuses_to_clamp_under_strict_params()
    {
        var body = Merge(MinimalRequest, """{"temperature":2.5,"strict_params":true}""");

        var exception = Assert.Throws<GatewayException>(() => Dialect.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments()));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal("temperature", exception.Error.Param);
    }

    [Fact]
    public void Reads_metadata_to_echo_it()
    {
        var request = Read(Merge(MinimalRequest, """{"metadata":{"conversation":"c-42","tier":"gold"}}"""));

        JsonAssert.Equal(JsonAssert.Parse("""{"conversation":"c-42","tier":"gold"}"""), Node(request.Metadata));
    }

    [Theory]
    [InlineData("web_search", "web_search", false)]
    [InlineData("web_search_preview", "web_search", false)]
    [InlineData("file_search", "file_search", false)]
    [InlineData("code_interpreter", "code_execution", false)]
    [InlineData("image_generation", "image_generation", false)]
    [InlineData("local_shell", "provider_defined", false)]
    [InlineData("apply_patch", "provider_defined", false)]
    [InlineData("tool_search", "tool_search", true)]
    public void Reads_a_hosted_tool_with_its_own_definition_kept(string type, string kind, bool optional)
    {
        var body = Merge(MinimalRequest, $$$"""{"tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}},{"type":"{{{type}}}","x_option":1}]}""");

        var request = Read(body);

        var hosted = Assert.Single(request.HostedTools!);
        Assert.Equal((new HostedToolKind(kind), type, "tools[1]", optional), (hosted.Kind, hosted.ClientType, hosted.Param, hosted.Optional));
        JsonAssert.Equal(JsonAssert.Parse($$$"""{"type":"{{{type}}}","x_option":1}"""), Node(hosted.Extensions!["openai.responses.tool"]));
        Assert.Equal(["get_weather"], request.Tools!.Select(t => t.Name));
    }

    [Fact]
    public void Reads_namespaces_and_custom_tools_as_the_codex_cli_declares_them()
    {
        var body = Merge(MinimalRequest, """
            {"tools":[
              {"type":"namespace","name":"multi_agent_v1","description":"Tools for sub-agents.","tools":[
                {"type":"function","name":"close_agent","strict":false,"parameters":{"type":"object","properties":{"target":{"type":"string"}}}},
                {"type":"custom","name":"spawn","description":"Spawn one.","format":{"type":"grammar","syntax":"lark","definition":"start: /.+/"}}]},
              {"type":"custom","name":"apply_patch","description":"Edit files."},
              {"type":"web_search","external_web_access":false}]}
            """);

        var request = Read(body);

        Assert.Equal(
            [("multi_agent_v1", "close_agent", false), ("multi_agent_v1", "spawn", true), (null, "apply_patch", true)],
            request.Tools!.Select(t => (t.Namespace, t.Name, t.FreeForm is not null)));
        Assert.Equal("Tools for sub-agents.", request.Tools![0].NamespaceDescription);
        Assert.Equal(new FreeFormInput { GrammarSyntax = "lark", Grammar = "start: /.+/" }, request.Tools[1].FreeForm);
        Assert.Equal(FreeFormInput.Text, request.Tools[2].FreeForm);
        var search = Assert.Single(request.HostedTools!);
        Assert.True(search.Optional);
        Assert.True(search.Search!.CacheOnly);
    }

    [Fact]
    public void Reads_namespaced_calls_custom_calls_and_their_outputs()
    {
        var body = Merge(MinimalRequest, """
            {"input":[
              {"type":"message","role":"user","content":"go"},
              {"type":"function_call","call_id":"c1","namespace":"multi_agent_v1","name":"close_agent","arguments":"{\"target\":\"a\"}"},
              {"type":"custom_tool_call","call_id":"c2","name":"apply_patch","input":"*** Begin Patch\n*** End Patch"},
              {"type":"function_call_output","call_id":"c1","output":"closed"},
              {"type":"custom_tool_call_output","call_id":"c2","output":"Done!"}]}
            """);

        var request = Read(body);

        var calls = request.Messages[1].Parts.Cast<ToolCallPart>().ToList();
        Assert.Equal(("multi_agent_v1", "close_agent", (string?)null), (calls[0].Namespace, calls[0].Name, calls[0].FreeFormInput));
        Assert.Equal("*** Begin Patch\n*** End Patch", calls[1].FreeFormInput);
        JsonAssert.Equal(JsonAssert.Parse("""{"input":"*** Begin Patch\n*** End Patch"}"""), JsonAssert.Parse(calls[1].ArgumentsJson));
        Assert.Equal(["c1", "c2"], request.Messages.Skip(2).Select(m => Assert.IsType<ToolResultPart>(Assert.Single(m.Parts)).ToolCallId));
    }

    [Theory]
    [InlineData("""{"input":"Hi"}""", "model")]
    [InlineData("""{"model":"gpt-5"}""", "input")]
    [InlineData("""{"model":"gpt-5","input":42}""", "input")]
    [InlineData("""{"model":"gpt-5","input":[{"type":"item_reference","id":"msg_1"}]}""", "input[0]")]
    [InlineData("""{"model":"gpt-5","input":[{"role":"wizard","content":"Hi"}]}""", "input[0].role")]
    [InlineData("""{"model":"gpt-5","input":[{"type":"function_call","name":"f","arguments":"{}"}]}""", "input[0].call_id")]
    [InlineData("""{"model":"gpt-5","input":[{"type":"function_call_output","output":"ok"}]}""", "input[0].call_id")]
    [InlineData("""{"model":"gpt-5","input":[{"role":"user","content":"Hi"},{"type":"computer_call_output","call_id":"c"}]}""", "input[1].type")]
    [InlineData("""{"model":"gpt-5","input":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]}""", "input[0].content[0].type")]
    [InlineData("""{"model":"gpt-5","input":[{"role":"user","content":7}]}""", "input[0].content")]
    [InlineData("""{"model":"gpt-5","input":"Hi","tools":[{"type":"function"}]}""", "tools[0].name")]
    public void Rejects_a_malformed_request_naming_the_parameter(string body, string param)
    {
        var exception = Assert.Throws<GatewayException>(() => Read(body));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal(param, exception.Error.Param);
    }

    [Theory]
    [InlineData("{\"model\":")]
    [InlineData("null")]
    [InlineData("[]")]
    public void Rejects_a_body_that_is_not_a_json_object(string body)
    {
        var exception = Assert.Throws<GatewayException>(() => Read(body));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
    }

    [Fact]
    public void Reads_items_stored_for_a_conversation()
    {
        var items = FixtureFiles.Json(ConversationRequest)["input"]!.ToJsonString();

        var messages = OpenAIResponsesDialect.ReadItems(Encoding.UTF8.GetBytes(items));

        Assert.Equal([Role.Developer, Role.User, Role.Assistant, Role.Tool, Role.Tool, Role.User], messages.Select(m => m.Role));
    }

    [Fact]
    public void Reads_an_answer_with_reasoning_a_message_and_a_function_call()
    {
        var body = FixtureFiles.Bytes(ReasoningToolCallResponse);
        var output = FixtureFiles.Json(ReasoningToolCallResponse)["output"]!;

        var response = Dialect.ReadResponse(body);

        Assert.Equal("resp_68a5d0e1f2a381a0b4c3d2e1f0a9b8c70e9d8c7b6a5f4e3d", response.Id);
        Assert.Equal("gpt-5-2025-08-07", response.Model);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1755697377), response.Created);
        Assert.Equal([typeof(ReasoningPart), typeof(TextPart), typeof(ToolCallPart)], response.Parts.Select(p => p.GetType()));
        var reasoning = (ReasoningPart)response.Parts[0];
        var itemId = output[0]!["id"]!.GetValue<string>();
        var encrypted = output[0]!["encrypted_content"]!.GetValue<string>();
        Assert.Equal("**Checking the weather**\n\nThe user wants Paris; I'll call get_weather.", reasoning.Text);
        Assert.Equal(encrypted, reasoning.EncryptedContent);
        Assert.Equal(ResponsesMapping.EncryptedReasoningSignature(itemId, encrypted), reasoning.Signature);
        Assert.Equal(itemId, reasoning.Extensions![ResponsesMapping.ItemIdKey].GetString());
        Assert.Equal(new TextPart("Let me check the weather in Paris."), response.Parts[1]);
        Assert.Equal(new ToolCallPart("call_2HsK9fJ5gT0uP8oI3yU7rE1w", "get_weather", """{"location":"Paris, France","unit":"celsius"}"""), response.Parts[2]);
        Assert.Equal(FinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public void Reads_usage_into_disjoint_buckets_with_cached_and_reasoning_tokens()
    {
        var body = FixtureFiles.Bytes(ReasoningToolCallResponse);

        var response = Dialect.ReadResponse(body);

        Assert.Equal(new Usage { InputTokens = 423, CacheReadTokens = 3072, OutputTokens = 55, ReasoningTokens = 96 }, response.Usage);
        Assert.Equal(3646, response.Usage.TotalTokens);
    }

    [Theory]
    [InlineData("completed", null, false, FinishReason.Stop)]
    [InlineData("completed", null, true, FinishReason.ToolCalls)]
    [InlineData("incomplete", "max_output_tokens", false, FinishReason.Length)]
    [InlineData("incomplete", "content_filter", false, FinishReason.ContentFilter)]
    public void Maps_status_and_incomplete_details_to_the_finish_reason(string status, string? reason, bool calledTools, FinishReason finishReason)
    {
        var answer = FixtureFiles.Json(ReasoningToolCallResponse).AsObject();
        answer["status"] = status;
        answer["incomplete_details"] = reason is null ? null : new JsonObject { ["reason"] = reason };
        if (!calledTools)
        {
            answer["output"]!.AsArray().RemoveAt(2);
        }

        var response = Dialect.ReadResponse(Encoding.UTF8.GetBytes(answer.ToJsonString()));

        Assert.Equal(finishReason, response.FinishReason);
    }

    [Fact]
    public void Reads_a_refusal_as_a_refusal_part()
    {
        var body = """
            {"id":"resp_1","object":"response","created_at":1755697377,"status":"completed","model":"gpt-4o",
             "output":[{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"refusal","refusal":"I can't help with that."}]}],
             "usage":{"input_tokens":9,"output_tokens":7,"total_tokens":16}}
            """;

        var response = Dialect.ReadResponse(Encoding.UTF8.GetBytes(body));

        Assert.Equal([new RefusalPart("I can't help with that.")], response.Parts);
        Assert.Equal(new Usage { InputTokens = 9, OutputTokens = 7 }, response.Usage);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("""{"id":"resp_1","output":{"oops":true}}""")]
    public void Reads_a_malformed_answer_as_an_upstream_failure(string body)
    {
        var exception = Assert.Throws<GatewayException>(() => Dialect.ReadResponse(Encoding.UTF8.GetBytes(body)));

        Assert.Equal(GatewayErrorKind.UpstreamFailed, exception.Error.Kind);
        Assert.Equal("upstream_error", exception.Error.Code);
    }

    private static ChatRequest Read(string body) => Dialect.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments());

    private static JsonNode? Node(JsonElement? element) => element is { } value ? JsonNode.Parse(value.GetRawText()) : null;

    /// <summary>The top-level properties of <paramref name="extra"/> laid over <paramref name="body"/>.</summary>
    private static string Merge(string body, string extra)
    {
        var merged = JsonAssert.Parse(body).AsObject();
        foreach (var (name, value) in JsonAssert.Parse(extra).AsObject())
        {
            merged[name] = value?.DeepClone();
        }

        return merged.ToJsonString();
    }

    /// <summary>Messages compare by role and parts; records compare their part lists by reference.</summary>
    private sealed class MessageComparer : IEqualityComparer<ChatMessage>
    {
        public static MessageComparer Instance { get; } = new();

        public bool Equals(ChatMessage? x, ChatMessage? y) => x?.Role == y?.Role && (x?.Parts ?? []).SequenceEqual(y?.Parts ?? []);

        public int GetHashCode(ChatMessage obj) => obj.Role.GetHashCode();
    }
}
