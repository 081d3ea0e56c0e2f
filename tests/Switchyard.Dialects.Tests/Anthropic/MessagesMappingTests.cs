using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Anthropic;

/// <summary>Client requests and upstream answers in Anthropic's shape, read into the neutral model.</summary>
public sealed class MessagesMappingTests
{
    private const string AgentRequest = "anthropic/agent.request.json";
    private const string ToolUseResponse = "anthropic/tool-use.response.json";
    private const string JsonOutputResponse = "anthropic/json-output.response.json";
    private const string MinimalRequest = """{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Hi"}]}""";

    private static readonly AnthropicMessagesDialect Dialect = AnthropicMessagesDialect.Instance;

    [Fact]
    public void Reads_system_blocks_keeping_cache_control_where_the_client_put_it()
    {
        var body = FixtureFiles.Bytes(AgentRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var system = request.Messages[0];
        Assert.Equal(Role.System, system.Role);
        Assert.Equal(2, system.Parts.Count);
        var plain = Assert.IsType<TextPart>(system.Parts[0]);
        Assert.Equal("You are Claude Code, Anthropic's official CLI for Claude.", plain.Text);
        Assert.Null(plain.CacheControl);
        var cached = Assert.IsType<TextPart>(system.Parts[1]);
        Assert.StartsWith("You are an interactive CLI tool", cached.Text, StringComparison.Ordinal);
        JsonAssert.Equal(Ephemeral, Node(cached.CacheControl));
    }

    [Fact]
    public void Reads_a_system_string_as_one_system_message()
    {
        var body = Merge(MinimalRequest, """{"system":"You are terse."}""");

        var request = Read(body);

        Assert.Equal([Role.System, Role.User], request.Messages.Select(m => m.Role));
        Assert.Equal([new TextPart("You are terse.")], request.Messages[0].Parts);
        Assert.Equal([new TextPart("Hi")], request.Messages[1].Parts);
    }

    [Fact]
    public void Reads_a_system_message_after_a_user_turn_where_it_stands()
    {
        var body = """
            {"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[
              {"role":"user","content":"Write the file."},
              {"role":"system","content":[{"type":"text","text":"# Environment","cache_control":{"type":"ephemeral"}}]},
              {"role":"assistant","content":"Done."},
              {"role":"user","content":"Thanks."},
              {"role":"system","content":"Be brief."}]}
            """;

        var request = Read(body);

        Assert.Equal([Role.User, Role.System, Role.Assistant, Role.User, Role.System], request.Messages.Select(m => m.Role));
        var environment = Assert.IsType<TextPart>(Assert.Single(request.Messages[1].Parts));
        Assert.Equal("# Environment", environment.Text);
        JsonAssert.Equal(Ephemeral, Node(environment.CacheControl));
        Assert.Equal([new TextPart("Be brief.")], request.Messages[4].Parts);
    }

    [Fact]
    public void Reads_a_multi_turn_conversation_in_order()
    {
        var body = FixtureFiles.Bytes(AgentRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        Assert.Equal("claude-sonnet-4-5", request.Model);
        Assert.Equal([Role.System, Role.User, Role.Assistant, Role.User], request.Messages.Select(m => m.Role));
        Assert.Equal(
            [typeof(TextPart), typeof(ImagePart), typeof(ImagePart), typeof(DocumentPart)],
            request.Messages[1].Parts.Select(p => p.GetType()));
        Assert.Equal(
            [typeof(ReasoningPart), typeof(ReasoningPart), typeof(TextPart), typeof(ToolCallPart), typeof(ToolCallPart)],
            request.Messages[2].Parts.Select(p => p.GetType()));
        Assert.Equal(
            [typeof(ToolResultPart), typeof(ToolResultPart), typeof(TextPart)],
            request.Messages[3].Parts.Select(p => p.GetType()));
        Assert.Equal("Please fix it.", request.LastUserText);
    }

    [Fact]
    public void Reads_base64_and_url_images_and_a_document()
    {
        var body = FixtureFiles.Bytes(AgentRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var parts = request.Messages[1].Parts;
        var inline = Assert.IsType<ImagePart>(parts[1]);
        Assert.Equal("image/png", inline.MediaType);
        Assert.StartsWith("iVBORw0KGgo", inline.Base64Data, StringComparison.Ordinal);
        Assert.Null(inline.Url);
        var linked = Assert.IsType<ImagePart>(parts[2]);
        Assert.Equal("https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg", linked.Url);
        Assert.Null(linked.Base64Data);
        var document = Assert.IsType<DocumentPart>(parts[3]);
        Assert.Equal("application/pdf", document.MediaType);
        Assert.Equal("JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K", document.Base64Data);
        Assert.Equal("Build specification", document.Title);
        JsonAssert.Equal(Ephemeral, Node(document.CacheControl));
    }

    [Fact]
    public void Keeps_thinking_and_redacted_thinking_with_their_signature_exactly()
    {
        var body = FixtureFiles.Bytes(AgentRequest);
        var blocks = FixtureFiles.Json(AgentRequest)["messages"]![1]!["content"]!.AsArray();

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var thinking = Assert.IsType<ReasoningPart>(request.Messages[2].Parts[0]);
        Assert.Equal(blocks[0]!["thinking"]!.GetValue<string>(), thinking.Text);
        Assert.Equal(blocks[0]!["signature"]!.GetValue<string>(), thinking.Signature);
        Assert.Null(thinking.RedactedData);
        var redacted = Assert.IsType<ReasoningPart>(request.Messages[2].Parts[1]);
        Assert.Equal(blocks[1]!["data"]!.GetValue<string>(), redacted.RedactedData);
        Assert.Equal(string.Empty, redacted.Text);
        Assert.Null(redacted.Signature);
    }

    [Fact]
    public void Reads_tool_use_blocks_as_tool_calls_with_their_input()
    {
        var body = FixtureFiles.Bytes(AgentRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var calls = request.Messages[2].Parts.OfType<ToolCallPart>().ToList();
        Assert.Equal(["toolu_01A09q90qw90lq917835lq9", "toolu_01B2c3D4e5F6g7H8i9J0kLmN"], calls.Select(c => c.Id));
        Assert.Equal(["Bash", "Read"], calls.Select(c => c.Name));
        JsonAssert.Equal(JsonAssert.Parse("""{"command":"dotnet build","description":"Build the solution"}"""), JsonAssert.Parse(calls[0].ArgumentsJson));
        JsonAssert.Equal(JsonAssert.Parse("""{"file_path":"/repo/src/Program.cs"}"""), JsonAssert.Parse(calls[1].ArgumentsJson));
    }

    [Fact]
    public void Reads_tool_results_with_is_error_content_arrays_and_cache_control()
    {
        var body = FixtureFiles.Bytes(AgentRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var failed = Assert.IsType<ToolResultPart>(request.Messages[3].Parts[0]);
        Assert.Equal("toolu_01A09q90qw90lq917835lq9", failed.ToolCallId);
        Assert.True(failed.IsError);
        Assert.Equal([new TextPart("Program.cs(2,25): error CS1002: ; expected")], failed.Content);
        Assert.Null(failed.CacheControl);
        var file = Assert.IsType<ToolResultPart>(request.Messages[3].Parts[1]);
        Assert.Equal("toolu_01B2c3D4e5F6g7H8i9J0kLmN", file.ToolCallId);
        Assert.False(file.IsError);
        Assert.Equal(2, file.Content.Count);
        Assert.Equal("     1\tusing System;\n     2\tConsole.WriteLine(\"hi\")", Assert.IsType<TextPart>(file.Content[0]).Text);
        Assert.Equal("image/png", Assert.IsType<ImagePart>(file.Content[1]).MediaType);
        JsonAssert.Equal(Ephemeral, Node(file.CacheControl));
    }

    [Fact]
    public void Reads_tools_tool_choice_thinking_and_the_remaining_options()
    {
        var body = FixtureFiles.Bytes(AgentRequest);
        var adjustments = new ParamAdjustments();

        var request = Dialect.ReadRequest(body, adjustments);

        var tools = request.Tools!;
        Assert.Equal(["Bash", "Read"], tools.Select(t => t.Name));
        Assert.Equal("Executes a given bash command in a persistent shell session.", tools[0].Description);
        JsonAssert.Equal(FixtureFiles.Json(AgentRequest)["tools"]![0]!["input_schema"], Node(tools[0].Parameters));
        Assert.Null(tools[0].CacheControl);
        JsonAssert.Equal(Ephemeral, Node(tools[1].CacheControl));
        Assert.Equal(ToolChoice.Auto, request.ToolChoice);
        Assert.False(request.ParallelToolCalls);
        Assert.Equal(new ReasoningOptions { BudgetTokens = 10000, Effort = "high" }, request.Reasoning);
        Assert.Equal(["</answer>"], request.StopSequences!);
        Assert.Equal(32000, request.MaxOutputTokens);
        Assert.Equal("user_2f9c1e7a_account_5b0d_session_8d1b", request.User);
        Assert.True(request.Stream);
        Assert.True(adjustments.IsEmpty);
    }

    [Theory]
    [InlineData("""{"type":"auto"}""", ToolChoiceMode.Auto, null, null)]
    [InlineData("""{"type":"any"}""", ToolChoiceMode.Required, null, null)]
    [InlineData("""{"type":"none"}""", ToolChoiceMode.None, null, null)]
    [InlineData("""{"type":"tool","name":"get_weather"}""", ToolChoiceMode.Function, "get_weather", null)]
    [InlineData("""{"type":"auto","disable_parallel_tool_use":true}""", ToolChoiceMode.Auto, null, false)]
    [InlineData("""{"type":"any","disable_parallel_tool_use":false}""", ToolChoiceMode.Required, null, true)]
    [InlineData("""{"type":"tool","name":"get_weather","disable_parallel_tool_use":true}""", ToolChoiceMode.Function, "get_weather", false)]
    public void Maps_tool_choice_and_disable_parallel_tool_use(string toolChoice, ToolChoiceMode mode, string? name, bool? parallel)
    {
        var body = Merge(MinimalRequest, $$$"""{"tool_choice":{{{toolChoice}}}}""");

        var request = Read(body);

        Assert.Equal(new ToolChoice(mode) { FunctionName = name }, request.ToolChoice);
        Assert.Equal(parallel, request.ParallelToolCalls);
    }

    [Theory]
    [InlineData(1024, "low")]
    [InlineData(2048, "medium")]
    [InlineData(4096, "medium")]
    [InlineData(10000, "high")]
    [InlineData(16384, "high")]
    public void Reads_a_thinking_budget_with_its_effort(int budget, string effort)
    {
        var body = Merge(MinimalRequest, $$$"""{"max_tokens":32000,"thinking":{"type":"enabled","budget_tokens":{{{budget}}}}}""");

        var request = Read(body);

        Assert.Equal(new ReasoningOptions { BudgetTokens = budget, Effort = effort }, request.Reasoning);
    }

    [Fact]
    public void Reads_disabled_thinking_as_reasoning_turned_off()
    {
        var body = Merge(MinimalRequest, """{"thinking":{"type":"disabled"}}""");

        var request = Read(body);

        Assert.True(request.Reasoning!.Disabled);
        Assert.Null(request.Reasoning.BudgetTokens);
    }

    [Fact]
    public void Reads_sampling_parameters_in_range_untouched()
    {
        var body = Merge(MinimalRequest, """{"temperature":0.7,"top_p":0.95,"top_k":40}""");
        var adjustments = new ParamAdjustments();

        var request = Dialect.ReadRequest(Encoding.UTF8.GetBytes(body), adjustments);

        Assert.Equal(0.7, request.Temperature);
        Assert.Equal(0.95, request.TopP);
        Assert.Equal(40, request.TopK);
        Assert.Equal(1024, request.MaxOutputTokens);
        Assert.True(adjustments.IsEmpty);
    }

    [Theory]
    [InlineData("temperature", "1.5", 1.0, "temperature=clamped:1.5->1")]
    [InlineData("temperature", "-0.5", 0.0, "temperature=clamped:-0.5->0")]
    [InlineData("top_p", "1.2", 1.0, "top_p=clamped:1.2->1")]
    [InlineData("max_tokens", "0", 1.0, "max_tokens=clamped:0->1")]
    public void Clamps_an_out_of_range_parameter_and_reports_it(string param, string value, double clamped, string entry)
    {
        var body = Merge(MinimalRequest, $$$"""{"{{{param}}}":{{{value}}}}""");
        var adjustments = new ParamAdjustments();

        var request = Dialect.ReadRequest(Encoding.UTF8.GetBytes(body), adjustments);

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
    public void Rejects_an_out_of_range_temperature_when_strict_params_is_set()
    {
        var body = Merge(MinimalRequest, """{"strict_params":true,"temperature":1.5}""");

        var exception = Assert.Throws<GatewayException>(() => Read(body));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal("temperature", exception.Error.Param);
    }

    [Fact]
    public void Keeps_unknown_top_level_fields_as_anthropic_extensions()
    {
        var body = Merge(MinimalRequest, """{"service_tier":"auto","container":"container_011CPR5CNjB747bTd36fQLFk"}""");

        var request = Read(body);

        Assert.Equal(["anthropic.container", "anthropic.service_tier"], request.Extensions!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("auto", request.Extensions["anthropic.service_tier"].GetString());
    }

    [Theory]
    [InlineData("""{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Hi"}]}""", "max_tokens")]
    [InlineData("""{"max_tokens":1024,"messages":[{"role":"user","content":"Hi"}]}""", "model")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024}""", "messages")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"tool","content":"Hi"}]}""", "messages.0.role")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"content":"Hi"}]}""", "messages.0.role")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user"}]}""", "messages.0.content")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":[{"type":"video","source":{}}]}]}""", "messages.0.content.0.type")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"audio"}]}]}""", "messages.1.content.1.type")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"file_011"}}]}]}""", "messages.0.content.0.source")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"assistant","content":[{"type":"tool_use","name":"f","input":{}}]}]}""", "messages.0.content.0.id")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":[{"type":"tool_result","content":"42"}]}]}""", "messages.0.content.0.tool_use_id")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Hi"}],"system":[{"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}]}""", "system.0.type")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Hi"}],"system":42}""", "system")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Hi"}],"tool_choice":{"type":"sometimes"}}""", "tool_choice")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Hi"}],"thinking":{"type":"enabled"}}""", "thinking.budget_tokens")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":"many","messages":[{"role":"user","content":"Hi"}]}""", "max_tokens")]
    public void Rejects_a_malformed_request_naming_the_parameter(string body, string param)
    {
        var exception = Assert.Throws<GatewayException>(() => Read(body));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal(400, exception.Error.Status);
        Assert.Equal(param, exception.Error.Param);
    }

    [Theory]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[null]}""", "messages.0")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":[{"type":"text","text":"a"},null]}]}""", "messages.0.content.1")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Hi"}],"system":[null]}""", "system.0")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[null]}]}]}""", "messages.0.content.0.content.0")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Hi"}],"tools":[null]}""", "tools.0")]
    public void Rejects_null_elements_as_an_invalid_request(string body, string param)
    {
        var exception = Assert.Throws<GatewayException>(() => Read(body));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal(param, exception.Error.Param);
    }

    [Theory]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Hi"}""")]
    [InlineData("null")]
    [InlineData("[]")]
    public void Rejects_a_body_that_is_not_a_json_object(string body)
    {
        var exception = Assert.Throws<GatewayException>(() => Read(body));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Null(exception.Error.Param);
    }

    [Fact]
    public void Reads_a_count_tokens_body_without_max_tokens()
    {
        var body = """{"model":"claude-sonnet-4-5","system":"Be brief.","messages":[{"role":"user","content":"Hi"}]}""";

        var request = AnthropicMessagesDialect.ReadCountTokensRequest(Encoding.UTF8.GetBytes(body));

        Assert.Null(request.MaxOutputTokens);
        Assert.Equal([Role.System, Role.User], request.Messages.Select(m => m.Role));
    }

    [Fact]
    public void Reads_a_response_with_thinking_text_and_parallel_tool_use()
    {
        var body = FixtureFiles.Bytes(ToolUseResponse);
        var content = FixtureFiles.Json(ToolUseResponse)["content"]!.AsArray();

        var response = Dialect.ReadResponse(body);

        Assert.Equal("msg_01XFDUDYJgAACzvnptvVoYEL", response.Id);
        Assert.Equal("claude-sonnet-4-5-20250929", response.Model);
        Assert.Equal(5, response.Parts.Count);
        Assert.Equal(
            new ReasoningPart("Two cities, so two calls to get_weather.") { Signature = content[0]!["signature"]!.GetValue<string>() },
            response.Parts[0]);
        Assert.Equal(new ReasoningPart(string.Empty) { RedactedData = content[1]!["data"]!.GetValue<string>() }, response.Parts[1]);
        Assert.Equal(new TextPart("I'll look up the weather in both cities."), response.Parts[2]);
        var paris = Assert.IsType<ToolCallPart>(response.Parts[3]);
        Assert.Equal(("toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather"), (paris.Id, paris.Name));
        JsonAssert.Equal(content[3]!["input"], JsonAssert.Parse(paris.ArgumentsJson));
        var tokyo = Assert.IsType<ToolCallPart>(response.Parts[4]);
        Assert.Equal(("toolu_01Vz8a4BWc3H8qkF7TnLc2Pm", "get_weather"), (tokyo.Id, tokyo.Name));
        JsonAssert.Equal(content[4]!["input"], JsonAssert.Parse(tokyo.ArgumentsJson));
        Assert.Equal(FinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public void Reads_usage_with_input_apart_from_cache_reads_and_writes()
    {
        var body = FixtureFiles.Bytes(ToolUseResponse);

        var response = Dialect.ReadResponse(body);

        Assert.Equal(45, response.Usage.InputTokens);
        Assert.Equal(8800, response.Usage.CacheReadTokens);
        Assert.Equal(1200, response.Usage.CacheWriteTokens);
        Assert.Equal(310, response.Usage.OutputTokens);
        Assert.Equal(0, response.Usage.ReasoningTokens);
        Assert.Equal(10045, response.Usage.TotalInputTokens);
        Assert.Null(response.Usage.Cost);
    }

    [Theory]
    [InlineData("end_turn", FinishReason.Stop)]
    [InlineData("max_tokens", FinishReason.Length)]
    [InlineData("stop_sequence", FinishReason.StopSequence)]
    [InlineData("tool_use", FinishReason.ToolCalls)]
    [InlineData("pause_turn", FinishReason.Stop)]
    [InlineData("refusal", FinishReason.ContentFilter)]
    [InlineData("model_context_window_exceeded", FinishReason.Length)]
    public void Maps_the_stop_reason(string stopReason, FinishReason finishReason)
    {
        var body = $$$"""
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
             "content":[{"type":"text","text":"Hi"}],"stop_reason":"{{{stopReason}}}","stop_sequence":null,
             "usage":{"input_tokens":5,"output_tokens":1}}
            """;

        var response = Dialect.ReadResponse(Encoding.UTF8.GetBytes(body));

        Assert.Equal(finishReason, response.FinishReason);
    }

    [Fact]
    public void Turns_the_forced_json_output_tool_into_the_answer_text()
    {
        var body = FixtureFiles.Bytes(JsonOutputResponse);

        var response = Dialect.ReadResponse(body);

        var text = Assert.IsType<TextPart>(Assert.Single(response.Parts));
        JsonAssert.Equal(FixtureFiles.Json(JsonOutputResponse)["content"]![0]!["input"], JsonAssert.Parse(text.Text));
        Assert.Equal(FinishReason.Stop, response.FinishReason);
        Assert.Equal(new Usage { InputTokens = 412, OutputTokens = 58 }, response.Usage);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("""{"content":"text"}""")]
    public void Reports_a_malformed_upstream_response_as_an_upstream_failure(string body)
    {
        var exception = Assert.Throws<GatewayException>(() => Dialect.ReadResponse(Encoding.UTF8.GetBytes(body)));

        Assert.Equal(GatewayErrorKind.UpstreamFailed, exception.Error.Kind);
        Assert.Equal(502, exception.Error.Status);
    }

    private static JsonNode Ephemeral => JsonAssert.Parse("""{"type":"ephemeral"}""");

    [Theory]
    [InlineData("""{"model":"m","max_tokens":8,"messages":[{"role":"user","content":[{"type":"text","text":5}]}]}""", "messages[0].content[0].text")]
    [InlineData("""{"model":"m","max_tokens":8,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":["x"]}]}]}""", "messages[0].content[0].tool_use_id")]
    [InlineData("""{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"Hi"}],"system":[{"type":"text","text":{}}]}""", "system[0].text")]
    [InlineData("""{"model":"m","max_tokens":8,"messages":[{"role":"user","content":[5]}]}""", "messages[0].content[0]")]
    public void Names_the_field_of_a_block_of_the_wrong_type(string body, string param)
    {
        var exception = Assert.Throws<GatewayException>(() => Read(body));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal(param, exception.Error.Param);
    }

    [Fact]
    public void Reads_content_and_system_as_strings_or_blocks_whatever_their_layout()
    {
        // Content is read straight from the body (no element copied and read again): every form of
        // it, escaped text included, must come out as the blocks the generator made.
        var text = Gen.String[Gen.Char["ab \"\\\n\u00e9\u2028"], 0, 30];
        var block = Gen.OneOf(
            text.Select(t => (Json: "{\"type\":\"text\",\"text\":" + JsonSerializer.Serialize(t) + "}", Expected: "text:" + t)),
            Gen.Select(Gen.Int[0, 99], text).Select((n, t) => (
                Json: "{\"input\":{\"q\":" + JsonSerializer.Serialize(t) + "},\"name\":\"f\",\"type\":\"tool_use\",\"id\":\"toolu_" + n + "\"}",
                Expected: "call:toolu_" + n + ":{\"q\":" + JsonSerializer.Serialize(t) + "}")),
            Gen.Select(Gen.Int[0, 99], text, Gen.Bool).Select((n, t, asBlocks) => (
                Json: "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_" + n + "\",\"content\":"
                    + (asBlocks ? "[{\"type\":\"text\",\"text\":" + JsonSerializer.Serialize(t) + "}]" : JsonSerializer.Serialize(t)) + "}",
                Expected: "result:toolu_" + n + ":" + t)));
        var content = Gen.OneOf(
            text.Select(t => (Json: JsonSerializer.Serialize(t), Expected: new[] { "text:" + t })),
            block.Array[1, 4].Select(blocks => (Json: "[ " + string.Join(" ,\n", blocks.Select(b => b.Json)) + " ]", Expected: blocks.Select(b => b.Expected).ToArray())));
        var system = Gen.OneOf(
            Gen.Const((Json: "null", Expected: Array.Empty<string>())),
            text.Where(t => t.Length > 0).Select(t => (Json: JsonSerializer.Serialize(t), Expected: new[] { "text:" + t })),
            text.Array[1, 3].Select(ts => (Json: "[" + string.Join(",", ts.Select(t => "{\"type\":\"text\",\"text\":" + JsonSerializer.Serialize(t) + "}")) + "]", Expected: ts.Select(t => "text:" + t).ToArray())));
        Gen.Select(system, content.Array[1, 4]).Sample((sys, messages) =>
        {
            var body = "{\"model\":\"m\",\"max_tokens\":8,\"system\": " + sys.Json + ",\"messages\":["
                + string.Join(",", messages.Select((m, i) => "{\"role\":\"" + (i % 2 == 0 ? "user" : "assistant") + "\",\"content\":" + m.Json + "}")) + "]}";

            var request = Read(body);

            var expected = (sys.Expected.Length > 0 ? [sys.Expected] : Array.Empty<string[]>()).Concat(messages.Select(m => m.Expected)).ToArray();
            Assert.Equal(expected.Length, request.Messages.Count);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], request.Messages[i].Parts.Select(Describe).ToArray());
            }
        }, iter: 2_000);

        static string Describe(ContentPart part) => part switch
        {
            TextPart text => "text:" + text.Text,
            ToolCallPart call => "call:" + call.Id + ":" + call.ArgumentsJson,
            ToolResultPart result => "result:" + result.ToolCallId + ":" + string.Concat(result.Content.Select(c => ((TextPart)c).Text)),
            _ => part.GetType().Name,
        };
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
}
