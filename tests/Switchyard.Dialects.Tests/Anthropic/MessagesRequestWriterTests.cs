using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Anthropic;

/// <summary>Requests for an Anthropic upstream, from neutral requests as the OpenAI chat surface reads them.</summary>
public sealed partial class MessagesRequestWriterTests
{
    private const string UpstreamModel = "claude-sonnet-4-5-20250929";
    private const string MinimalRequest = """{"model":"claude","messages":[{"role":"user","content":"Hi"}]}""";

    // A tool round: the assistant called get_weather, the client answered.
    private const string ToolRound = """
        {"model":"claude","messages":[
          {"role":"user","content":"Weather in Paris?"},
          {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}}]},
          {"role":"tool","tool_call_id":"call_1","content":"18°C"}],
         "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"location":{"type":"string"}}}}}]}
        """;

    // A real Anthropic signature as it comes back in thinking_blocks: base64 with '+', '/' and '=' that must survive untouched.
    private const string Signature = "EqQBCkgIBxABGAIiQL3nVw0pDcC2Vq1sC+w/y4iCZ3Dd8oJxB3aXq5f8VxKp0zT9J2bG+eR1Y6hQnN7uWm4cLs0aPdF2iXo8EgwN1fQ2rZlH7kU9yWQaDNh1pJ3kQ4mV8tZ6+A==";

    [Fact]
    public void Writes_an_openai_conversation_in_the_shape_anthropic_enforces()
    {
        var body = FixtureFiles.Bytes("anthropic/from-openai-chat.request.json");

        var (written, adjustments) = Translate(body);

        JsonAssert.Equal(FixtureFiles.Json("anthropic/from-openai-chat.expected.json"), written);
        Assert.Equal(["temperature=clamped:1.5->1"], adjustments.Entries);
    }

    [Fact]
    public void Alternates_user_and_assistant_turns_starting_with_the_user()
    {
        var body = FixtureFiles.Bytes("anthropic/from-openai-chat.request.json");

        var (written, _) = Translate(body);

        var roles = written["messages"]!.AsArray().Select(m => m!["role"]!.GetValue<string>()).ToList();
        Assert.Equal(["user", "assistant", "user"], roles);
        Assert.All(written["messages"]!.AsArray(), m => Assert.NotEmpty(m!["content"]!.AsArray()));
    }

    [Fact]
    public void Folds_system_and_developer_messages_from_anywhere_into_system()
    {
        var body = """
            {"model":"claude","messages":[
              {"role":"developer","content":"Rule one."},
              {"role":"user","content":"Hi"},
              {"role":"assistant","content":"Hello"},
              {"role":"system","content":[{"type":"text","text":"Rule two."}]},
              {"role":"system","content":""},
              {"role":"user","content":"Bye"}]}
            """;

        var (written, _) = Translate(body);

        JsonAssert.Equal(
            JsonAssert.Parse("""[{"type":"text","text":"Rule one."},{"type":"text","text":"Rule two."}]"""),
            written["system"]);
        Assert.Equal(["user", "assistant", "user"], written["messages"]!.AsArray().Select(m => m!["role"]!.GetValue<string>()));
    }

    [Fact]
    public void Sends_no_system_field_when_there_are_no_instructions()
    {
        var (written, _) = Translate(MinimalRequest);

        Assert.False(written.AsObject().ContainsKey("system"));
    }

    [Fact]
    public void Places_tool_results_first_in_the_next_user_turn()
    {
        var body = Merge(ToolRound, """
            {"messages":[
              {"role":"user","content":"Weather in Paris?"},
              {"role":"assistant","content":"Checking.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
              {"role":"user","content":"Also, hurry."},
              {"role":"tool","tool_call_id":"call_1","content":"18°C"}]}
            """);

        var (written, _) = Translate(body);

        var turns = written["messages"]!.AsArray();
        Assert.Equal(3, turns.Count);
        JsonAssert.Equal(
            JsonAssert.Parse("""
                [{"type":"tool_result","tool_use_id":"call_1","content":"18°C"},
                 {"type":"text","text":"Also, hurry."}]
                """),
            turns[2]!["content"]);
    }

    [Fact]
    public void Writes_tool_results_with_is_error_and_non_text_content_as_blocks()
    {
        // An Anthropic client's tool results, read and written again for an Anthropic upstream.
        var body = """
            {"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[
              {"role":"user","content":"Read both."},
              {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Read","input":{"path":"a.png"}},{"type":"tool_use","id":"toolu_2","name":"Read","input":{"path":"b"}}]},
              {"role":"user","content":[
                {"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"a.png:"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},
                {"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"No such file"},{"type":"text","text":""}],"is_error":true}]}]}
            """;
        var request = AnthropicMessagesDialect.Instance.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments());

        var written = Write(request);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                [{"type":"tool_result","tool_use_id":"toolu_1","content":[
                   {"type":"text","text":"a.png:"},
                   {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},
                 {"type":"tool_result","tool_use_id":"toolu_2","content":"No such file","is_error":true}]
                """),
            written["messages"]![2]!["content"]);
    }

    [Fact]
    public void Sanitizes_tool_call_ids_the_same_way_in_tool_use_and_tool_result()
    {
        var body = FixtureFiles.Bytes("anthropic/from-openai-chat.request.json");

        var (written, _) = Translate(body);

        var turns = written["messages"]!.AsArray();
        var uses = turns[1]!["content"]!.AsArray().Select(b => b!["id"]!.GetValue<string>()).ToList();
        var results = turns[2]!["content"]!.AsArray()
            .Where(b => b!["type"]!.GetValue<string>() == "tool_result")
            .Select(b => b!["tool_use_id"]!.GetValue<string>())
            .ToList();
        Assert.Equal(uses, results);
        Assert.All(uses, id => Assert.Matches(AnthropicToolId(), id));
        Assert.Equal("call_8VcQ_mL3_pN2x_R7tY", uses[0]);
    }

    [Fact]
    public void Drops_empty_text_and_turns_left_empty()
    {
        var body = """
            {"model":"claude","messages":[
              {"role":"user","content":"Hi"},
              {"role":"assistant","content":""},
              {"role":"user","content":[{"type":"text","text":""},{"type":"text","text":"Still there?"}]}]}
            """;

        var (written, _) = Translate(body);

        JsonAssert.Equal(
            JsonAssert.Parse("""[{"role":"user","content":[{"type":"text","text":"Hi"},{"type":"text","text":"Still there?"}]}]"""),
            written["messages"]);
    }

    [Theory]
    [InlineData("""{}""", 8192)]
    [InlineData("""{"max_tokens":300}""", 300)]
    [InlineData("""{"max_completion_tokens":700}""", 700)]
    public void Always_sends_max_tokens(string extra, int expected)
    {
        var body = Merge(MinimalRequest, extra);

        var (written, _) = Translate(body, defaultMaxOutputTokens: 8192);

        Assert.Equal(expected, written["max_tokens"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("low", 8000, 1024)]
    [InlineData("medium", 8000, 4096)]
    [InlineData("high", 32000, 16384)]
    [InlineData("high", 8000, 7999)]
    [InlineData("high", 1025, 1024)]
    public void Turns_reasoning_effort_into_a_thinking_budget_below_max_tokens(string effort, int maxTokens, int budget)
    {
        var body = Merge(MinimalRequest, $$$"""{"reasoning_effort":"{{{effort}}}","max_completion_tokens":{{{maxTokens}}}}""");

        var (written, adjustments) = Translate(body);

        JsonAssert.Equal(JsonAssert.Parse($$$"""{"type":"enabled","budget_tokens":{{{budget}}}}"""), written["thinking"]);
        Assert.Equal(maxTokens, written["max_tokens"]!.GetValue<int>());
        Assert.True(adjustments.IsEmpty);
    }

    [Fact]
    public void Adds_the_thinking_budget_to_the_default_max_tokens_when_the_client_set_none()
    {
        var body = Merge(MinimalRequest, """{"reasoning_effort":"high"}""");

        var (written, _) = Translate(body, defaultMaxOutputTokens: 4096);

        Assert.Equal(4096 + 16384, written["max_tokens"]!.GetValue<int>());
        Assert.Equal(16384, written["thinking"]!["budget_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void Drops_thinking_mid_tool_loop_when_the_last_assistant_turn_has_no_signed_thinking()
    {
        var body = """
            {"model":"m","reasoning_effort":"high","messages":[
              {"role":"user","content":"weather?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"sunny"}]}
            """;

        var (written, adjustments) = Translate(body);

        Assert.False(written.AsObject().ContainsKey("thinking"));
        Assert.Equal(["reasoning_effort=dropped"], adjustments.Entries);
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(500)]
    public void Sends_no_thinking_when_max_tokens_leaves_no_room_for_it(int maxTokens)
    {
        var body = Merge(MinimalRequest, $$$"""{"reasoning_effort":"high","max_completion_tokens":{{{maxTokens}}}}""");

        var (written, adjustments) = Translate(body);

        Assert.False(written.AsObject().ContainsKey("thinking"));
        Assert.Equal(["reasoning_effort=dropped"], adjustments.Entries);
    }

    [Theory]
    [InlineData("""{"tool_choice":"required"}""")]
    [InlineData("""{"tool_choice":{"type":"function","function":{"name":"get_weather"}}}""")]
    [InlineData("""{"response_format":{"type":"json_schema","json_schema":{"name":"w","schema":{"type":"object"}}}}""")]
    public void Sends_no_thinking_with_a_forced_tool_choice(string extra)
    {
        var body = Merge(Merge(ToolRound, """{"reasoning_effort":"medium","max_completion_tokens":8000}"""), extra);

        var (written, adjustments) = Translate(body);

        Assert.False(written.AsObject().ContainsKey("thinking"));
        Assert.Contains(written["tool_choice"]!["type"]!.GetValue<string>(), new[] { "any", "tool" });
        Assert.Equal(["reasoning_effort=dropped"], adjustments.Entries);
    }

    [Fact]
    public void Sends_no_thinking_when_the_client_turned_reasoning_off()
    {
        var body = Merge(MinimalRequest, """{"reasoning_effort":"none","max_completion_tokens":8000}""");

        var (written, adjustments) = Translate(body);

        Assert.False(written.AsObject().ContainsKey("thinking"));
        Assert.True(adjustments.IsEmpty);
    }

    [Fact]
    public void Drops_sampling_parameters_that_anthropic_refuses_with_thinking()
    {
        var body = Merge(MinimalRequest, """{"reasoning_effort":"low","max_completion_tokens":8000,"temperature":0.2,"top_p":0.9}""");

        var (written, adjustments) = Translate(body);

        Assert.Equal(1024, written["thinking"]!["budget_tokens"]!.GetValue<int>());
        Assert.False(written.AsObject().ContainsKey("temperature"));
        Assert.False(written.AsObject().ContainsKey("top_p"));
        Assert.Equal(["temperature=dropped", "top_p=dropped"], adjustments.Entries);
    }

    [Theory]
    [InlineData("1.5", 1.0, "temperature=clamped:1.5->1")]
    [InlineData("2", 1.0, "temperature=clamped:2->1")]
    [InlineData("0.3", 0.3, null)]
    public void Clamps_temperature_to_anthropics_range(string temperature, double sent, string? entry)
    {
        var body = Merge(MinimalRequest, $$$"""{"temperature":{{{temperature}}}}""");

        var (written, adjustments) = Translate(body);

        Assert.Equal(sent, written["temperature"]!.GetValue<double>());
        Assert.Equal(entry is null ? Array.Empty<string>() : [entry], adjustments.Entries);
    }

    [Fact]
    public void Drops_parameters_anthropic_does_not_have_and_reports_them()
    {
        var body = Merge(MinimalRequest, """{"presence_penalty":0.5,"frequency_penalty":0.5,"seed":7}""");

        var (written, adjustments) = Translate(body);

        Assert.Equal(["presence_penalty=dropped", "frequency_penalty=dropped", "seed=dropped"], adjustments.Entries);
        Assert.Equal(["model", "max_tokens", "messages"], written.AsObject().Select(p => p.Key));
    }

    [Theory]
    [InlineData("""{"tool_choice":"auto"}""", """{"type":"auto"}""")]
    [InlineData("""{"tool_choice":"required"}""", """{"type":"any"}""")]
    [InlineData("""{"tool_choice":"none"}""", """{"type":"none"}""")]
    [InlineData("""{"tool_choice":{"type":"function","function":{"name":"get_weather"}}}""", """{"type":"tool","name":"get_weather"}""")]
    [InlineData("""{"parallel_tool_calls":false}""", """{"type":"auto","disable_parallel_tool_use":true}""")]
    [InlineData("""{"tool_choice":"required","parallel_tool_calls":false}""", """{"type":"any","disable_parallel_tool_use":true}""")]
    [InlineData("""{"tool_choice":"none","parallel_tool_calls":false}""", """{"type":"none"}""")]
    [InlineData("""{"parallel_tool_calls":true}""", null)]
    public void Maps_tool_choice_and_parallel_tool_calls(string extra, string? toolChoice)
    {
        var body = Merge(ToolRound, extra);

        var (written, _) = Translate(body);

        JsonAssert.Equal(toolChoice is null ? null : JsonAssert.Parse(toolChoice), written["tool_choice"]);
    }

    [Fact]
    public void Asks_for_json_schema_output_through_a_forced_tool()
    {
        const string Schema = """{"type":"object","properties":{"city":{"type":"string"},"temperature":{"type":"number"}},"required":["city","temperature"],"additionalProperties":false}""";
        var body = Merge(ToolRound, """{"response_format":{"type":"json_schema","json_schema":{"name":"weather","description":"The weather report.","schema":SCHEMA,"strict":true}}}""".Replace("SCHEMA", Schema, StringComparison.Ordinal));

        var (written, _) = Translate(body);

        var tools = written["tools"]!.AsArray();
        Assert.Equal(["get_weather", "switchyard_json_output"], tools.Select(t => t!["name"]!.GetValue<string>()));
        JsonAssert.Equal(
            JsonAssert.Parse($$$"""{"name":"switchyard_json_output","description":"The weather report.","input_schema":{{{Schema}}}}"""),
            tools[1]);
        JsonAssert.Equal(JsonAssert.Parse("""{"type":"tool","name":"switchyard_json_output"}"""), written["tool_choice"]);
    }

    [Fact]
    public void Returns_signed_thinking_blocks_with_their_exact_signature()
    {
        var body = Merge(ToolRound, $$$"""
            {"messages":[
              {"role":"user","content":"Weather in Paris?"},
              {"role":"assistant","content":null,
               "reasoning_content":"I should call the tool.",
               "thinking_blocks":[
                 {"type":"thinking","thinking":"I should call the tool.","signature":"{{{Signature}}}"},
                 {"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rL"}],
               "tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"18°C"}],
             "reasoning_effort":"low","max_completion_tokens":4000}
            """);

        var (written, _) = Translate(body);

        JsonAssert.Equal(
            JsonAssert.Parse($$$"""
                [{"type":"thinking","thinking":"I should call the tool.","signature":"{{{Signature}}}"},
                 {"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rL"},
                 {"type":"tool_use","id":"call_1","name":"get_weather","input":{"location":"Paris"}}]
                """),
            written["messages"]![1]!["content"]);
        Assert.Equal(1024, written["thinking"]!["budget_tokens"]!.GetValue<int>());
    }

    public static TheoryData<string> UnsignedReasoning => new()
    {
        """{"reasoning_content":"Let me think."}""",
        $$$"""{"thinking_blocks":[{"type":"thinking","thinking":"Let me think.","signature":"{{{ReasoningSignature.Wrap("gemini", "CiQBjz1rX0thought")}}}"}]}""",
        $$$"""{"thinking_blocks":[{"type":"thinking","thinking":"Let me think.","signature":"{{{ReasoningSignature.Wrap("neutral", null)}}}"}]}""",
        """{"thinking_blocks":[{"type":"thinking","thinking":"Let me think."}]}""",
        """{"thinking_blocks":[{"type":"thinking","thinking":"Let me think.","signature":""}]}""",
    };

    [Theory]
    [MemberData(nameof(UnsignedReasoning))]
    public void Drops_reasoning_that_anthropic_did_not_sign(string reasoning)
    {
        var assistant = JsonAssert.Parse("""{"role":"assistant","content":"Hello!"}""").AsObject();
        foreach (var (name, value) in JsonAssert.Parse(reasoning).AsObject())
        {
            assistant[name] = value?.DeepClone();
        }

        var body = $$$"""{"model":"claude","messages":[{"role":"user","content":"Hi"},{{{assistant.ToJsonString()}}},{"role":"user","content":"Again"}]}""";

        var (written, _) = Translate(body);

        JsonAssert.Equal(JsonAssert.Parse("""[{"type":"text","text":"Hello!"}]"""), written["messages"]![1]!["content"]);
    }

    [Fact]
    public void Writes_the_upstream_model_name_and_stream_flag()
    {
        var body = Merge(MinimalRequest, """{"stream":true,"stream_options":{"include_usage":false}}""");

        var (written, _) = Translate(body);

        Assert.Equal(UpstreamModel, written["model"]!.GetValue<string>());
        Assert.True(written["stream"]!.GetValue<bool>());
        Assert.False(written.AsObject().ContainsKey("stream_options"));
    }

    [Fact]
    public void Round_trips_an_anthropic_request_through_the_neutral_model()
    {
        var body = FixtureFiles.Bytes("anthropic/agent.request.json");
        var adjustments = new ParamAdjustments();
        var request = AnthropicMessagesDialect.Instance.ReadRequest(body, adjustments);

        var written = Write(request, "claude-sonnet-4-5");

        JsonAssert.Equal(JsonAssert.Parse(body), written);
        Assert.True(adjustments.IsEmpty);
    }

    private static (JsonNode Body, ParamAdjustments Adjustments) Translate(string openAiBody, int defaultMaxOutputTokens = 4096) =>
        Translate(Encoding.UTF8.GetBytes(openAiBody), defaultMaxOutputTokens);

    /// <summary>An OpenAI chat body read by the OpenAI codec, then written for an Anthropic upstream.</summary>
    private static (JsonNode Body, ParamAdjustments Adjustments) Translate(byte[] openAiBody, int defaultMaxOutputTokens = 4096)
    {
        var adjustments = new ParamAdjustments();
        var request = ChatCompletionsDialect.Instance.ReadRequest(openAiBody, adjustments);
        return (Write(request, new UpstreamTarget(UpstreamModel) { DefaultMaxOutputTokens = defaultMaxOutputTokens }), adjustments);
    }

    private static JsonNode Write(ChatRequest request, UpstreamTarget? target = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        AnthropicMessagesDialect.Instance.WriteRequest(request, target ?? UpstreamModel, buffer);
        return JsonAssert.Parse(buffer.WrittenSpan);
    }

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

    // https://docs.anthropic.com/en/api/messages: tool_use ids match ^[a-zA-Z0-9_-]+$.
    [GeneratedRegex("^[a-zA-Z0-9_-]+$")]
    private static partial Regex AnthropicToolId();
}
