using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.OpenAI.Responses;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.OpenAI.Responses;

/// <summary>Requests for a Responses upstream (<c>"api": "responses"</c>), from neutral requests as the OpenAI chat and Anthropic surfaces read them.</summary>
public sealed class ResponsesRequestWriterTests
{
    private const string UpstreamModel = "gpt-5-pro-2025-10-06";
    private const string MinimalChat = """{"model":"pro","messages":[{"role":"user","content":"Hi"}]}""";
    private const string MinimalAnthropic = """{"model":"pro","max_tokens":1024,"messages":[{"role":"user","content":"Hi"}]}""";
    private const string ItemId = "rs_68a5d0e2a3b481a0c5d4e3f2a1b0c9d80e9d8c7b6a5f4e3d";
    private const string Encrypted = "gAAAAABopdDi7Yx2Vb3Nc4Md5Le6Kf7Jg8Ih9Hi0Gj1Fk2El3Dm4Cn5Bo6Ap7Zq8Yr9Xs0Wt1Vu2Ut3Ts4Sr5Rq6Qp7Po8On9Nm0Ml1Lk2Kj3Ji4Ih5Hg6Gf7Fe8Ed9Dc0Cb1Ba2Az3_yx4wv5ut6sr7qp8on9ml0==";

    // A tool round as an Anthropic client sends it back after an OpenAI reasoning model answered it through the gateway.
    private const string AnthropicToolRound = """
        {"model":"pro","max_tokens":4096,"messages":[
          {"role":"user","content":"Weather in Paris?"},
          {"role":"assistant","content":[
            {"type":"thinking","thinking":"Paris, so get_weather.","signature":"SIGNATURE"},
            {"type":"text","text":"Checking."},
            {"type":"tool_use","id":"call_1","name":"get_weather","input":{"location":"Paris"}}]},
          {"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"18°C"}]}],
         "tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"location":{"type":"string"}}}}]}
        """;

    [Fact]
    public void Writes_an_openai_chat_conversation_as_a_responses_request()
    {
        var body = FixtureFiles.Bytes("openai-chat/tools-and-images.request.json");

        var (written, adjustments) = TranslateChat(body);

        JsonAssert.Equal(FixtureFiles.Json("openai-responses/from-openai-chat.expected.json"), written);
        Assert.Equal(["stop=dropped", "presence_penalty=dropped", "frequency_penalty=dropped", "seed=dropped"], adjustments.Entries);
    }

    [Fact]
    public void Writes_an_anthropic_conversation_as_a_responses_request()
    {
        var body = FixtureFiles.Bytes("anthropic/agent.request.json");

        var (written, adjustments) = TranslateAnthropic(body);

        JsonAssert.Equal(FixtureFiles.Json("openai-responses/from-anthropic.expected.json"), CompactArguments(written));
        Assert.Equal(["stop=dropped"], adjustments.Entries);
    }

    [Fact]
    public void Folds_system_and_developer_messages_from_anywhere_into_the_instructions()
    {
        var body = """
            {"model":"pro","messages":[
              {"role":"developer","content":"Rule one."},
              {"role":"user","content":"Hi"},
              {"role":"assistant","content":"Hello"},
              {"role":"system","content":[{"type":"text","text":"Rule two."},{"type":"text","text":"Rule three."}]},
              {"role":"system","content":""},
              {"role":"user","content":"Bye"}]}
            """;

        var (written, _) = TranslateChat(body);

        Assert.Equal("Rule one.\n\nRule two.\n\nRule three.", written["instructions"]!.GetValue<string>());
        JsonAssert.Equal(
            JsonAssert.Parse("""
                [{"type":"message","role":"user","content":[{"type":"input_text","text":"Hi"}]},
                 {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Hello"}]},
                 {"type":"message","role":"user","content":[{"type":"input_text","text":"Bye"}]}]
                """),
            written["input"]);
    }

    [Fact]
    public void Keeps_nothing_upstream_and_asks_for_encrypted_reasoning_to_return_next_turn()
    {
        var (written, adjustments) = TranslateChat(MinimalChat);

        JsonAssert.Equal(
            JsonAssert.Parse($$"""
                {"model":"{{UpstreamModel}}",
                 "input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"Hi"}]}],
                 "store":false,"include":["reasoning.encrypted_content"]}
                """),
            written);
        Assert.True(adjustments.IsEmpty);
    }

    [Fact]
    public void Writes_function_calls_and_their_outputs_as_items_in_order()
    {
        var (written, _) = TranslateAnthropic(AnthropicToolRound.Replace("SIGNATURE", "EqQBCkgIBxABGAIiQL3nVw0pDcC2Vq1sC", StringComparison.Ordinal));

        JsonAssert.Equal(
            JsonAssert.Parse("""
                [{"type":"message","role":"user","content":[{"type":"input_text","text":"Weather in Paris?"}]},
                 {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Checking."}]},
                 {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"location\":\"Paris\"}"},
                 {"type":"function_call_output","call_id":"call_1","output":"18°C"}]
                """),
            written["input"]);
    }

    [Fact]
    public void Returns_openai_reasoning_carried_in_a_switchyard_signature_as_a_reasoning_item_before_the_call()
    {
        var signature = ResponsesMapping.EncryptedReasoningSignature(ItemId, Encrypted);

        var (written, _) = TranslateAnthropic(AnthropicToolRound.Replace("SIGNATURE", signature, StringComparison.Ordinal));

        var input = written["input"]!.AsArray();
        Assert.Equal(["message", "reasoning", "message", "function_call", "function_call_output"], input.Select(i => i!["type"]!.GetValue<string>()));
        JsonAssert.Equal(
            JsonAssert.Parse($$"""
                {"type":"reasoning","id":"{{ItemId}}","summary":[{"type":"summary_text","text":"Paris, so get_weather."}],"encrypted_content":"{{Encrypted}}"}
                """),
            input[1]);
    }

    [Fact]
    public void Returns_reasoning_read_from_a_responses_request_with_its_id_and_encrypted_content()
    {
        var request = OpenAIResponsesDialect.Instance.ReadRequest(FixtureFiles.Bytes("openai-responses/conversation.request.json"), new ParamAdjustments());
        var original = FixtureFiles.Json("openai-responses/conversation.request.json")["input"]![2]!;

        var written = Write(request);

        var reasoning = Assert.Single(written["input"]!.AsArray(), i => i!["type"]!.GetValue<string>() == "reasoning")!;
        Assert.Equal(original["id"]!.GetValue<string>(), reasoning["id"]!.GetValue<string>());
        Assert.Equal(original["encrypted_content"]!.GetValue<string>(), reasoning["encrypted_content"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("EqQBCkgIBxABGAIiQL3nVw0pDcC2Vq1sC")]
    [InlineData("sy1.gemini.Q3ZJQ0FkSHRpbTlWcTBUMW1ZejNR")]
    [InlineData("")]
    public void Leaves_out_reasoning_openai_did_not_encrypt(string signature)
    {
        var (written, _) = TranslateAnthropic(AnthropicToolRound.Replace("SIGNATURE", signature, StringComparison.Ordinal));

        Assert.DoesNotContain(written["input"]!.AsArray(), i => i!["type"]!.GetValue<string>() == "reasoning");
    }

    [Fact]
    public void Leaves_out_encrypted_reasoning_without_its_item_id()
    {
        var request = new ChatRequest
        {
            Model = "pro",
            Messages =
            [
                ChatMessage.FromText(Role.User, "1+1?"),
                new ChatMessage(Role.Assistant, [new ReasoningPart("Simple.") { EncryptedContent = Encrypted }, new TextPart("2")]),
                ChatMessage.FromText(Role.User, "Thanks"),
            ],
        };

        var written = Write(request);

        Assert.Equal(["message", "message", "message"], written["input"]!.AsArray().Select(i => i!["type"]!.GetValue<string>()));
    }

    [Fact]
    public void Leaves_out_chat_reasoning_content_which_has_nothing_to_return()
    {
        var body = """
            {"model":"pro","messages":[
              {"role":"user","content":"9.11 or 9.9?"},
              {"role":"assistant","content":"9.9","reasoning_content":"9.90 > 9.11"},
              {"role":"user","content":"Why?"}]}
            """;

        var (written, _) = TranslateChat(body);

        Assert.Equal(["message", "message", "message"], written["input"]!.AsArray().Select(i => i!["type"]!.GetValue<string>()));
    }

    [Fact]
    public void Writes_a_tool_result_with_several_blocks_as_content_parts()
    {
        var body = """
            {"model":"pro","max_tokens":1024,"messages":[
              {"role":"user","content":"Read both files."},
              {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Read","input":{"path":"a.txt"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"line 1"},{"type":"text","text":"line 2"}]}]}]}
            """;

        var (written, _) = TranslateAnthropic(body);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"type":"function_call_output","call_id":"toolu_1","output":[{"type":"input_text","text":"line 1"},{"type":"input_text","text":"line 2"}]}
                """),
            written["input"]![2]);
    }

    [Theory]
    [InlineData("\"auto\"", "\"auto\"")]
    [InlineData("\"none\"", "\"none\"")]
    [InlineData("\"required\"", "\"required\"")]
    [InlineData("""{"type":"function","function":{"name":"get_weather"}}""", """{"type":"function","name":"get_weather"}""")]
    public void Maps_tool_choice(string chatChoice, string responsesChoice)
    {
        var body = Merge(MinimalChat, $$$"""{"tools":[{"type":"function","function":{"name":"get_weather"}}],"tool_choice":{{{chatChoice}}},"parallel_tool_calls":false}""");

        var (written, _) = TranslateChat(body);

        JsonAssert.Equal(JsonAssert.Parse(responsesChoice), written["tool_choice"]);
        Assert.False(written["parallel_tool_calls"]!.GetValue<bool>());
        JsonAssert.Equal(
            JsonAssert.Parse("""[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{}}}]"""),
            written["tools"]);
    }

    [Fact]
    public void Writes_a_json_object_format()
    {
        var (written, _) = TranslateChat(Merge(MinimalChat, """{"response_format":{"type":"json_object"}}"""));

        JsonAssert.Equal(JsonAssert.Parse("""{"format":{"type":"json_object"}}"""), written["text"]);
    }

    [Theory]
    [InlineData("""{"reasoning_effort":"low"}""", "low")]
    [InlineData("""{"reasoning_effort":"high"}""", "high")]
    public void Writes_a_chat_reasoning_effort_with_an_automatic_summary(string extra, string effort)
    {
        var (written, _) = TranslateChat(Merge(MinimalChat, extra));

        JsonAssert.Equal(new JsonObject { ["effort"] = effort, ["summary"] = "auto" }, written["reasoning"]);
    }

    [Theory]
    [InlineData(1024, "low")]
    [InlineData(4096, "medium")]
    [InlineData(16384, "high")]
    public void Writes_an_anthropic_thinking_budget_as_an_effort(int budget, string effort)
    {
        var body = Merge(MinimalAnthropic, $$$"""{"max_tokens":32000,"thinking":{"type":"enabled","budget_tokens":{{{budget}}}}}""");

        var (written, _) = TranslateAnthropic(body);

        Assert.Equal(effort, written["reasoning"]!["effort"]!.GetValue<string>());
    }

    [Fact]
    public void Asks_for_no_reasoning_when_thinking_is_disabled()
    {
        var (written, _) = TranslateAnthropic(Merge(MinimalAnthropic, """{"thinking":{"type":"disabled"}}"""));

        Assert.False(written.AsObject().ContainsKey("reasoning"));
    }

    [Fact]
    public void Drops_what_the_responses_api_cannot_honour_and_reports_it()
    {
        var body = Merge(MinimalAnthropic, """{"stop_sequences":["END"],"top_k":40,"temperature":0.5}""");

        var (written, adjustments) = TranslateAnthropic(body);

        Assert.Equal(["stop=dropped", "top_k=dropped"], adjustments.Entries);
        Assert.Equal(0.5, written["temperature"]!.GetValue<double>());
        Assert.False(written.AsObject().ContainsKey("top_k"));
        Assert.False(written.AsObject().ContainsKey("stop"));
    }

    [Fact]
    public void Refuses_to_drop_a_parameter_under_strict_params()
    {
        var body = Merge(MinimalChat, """{"seed":42,"strict_params":true}""");

        var exception = Assert.Throws<GatewayException>(() => TranslateChat(body));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal("seed", exception.Error.Param);
    }

    [Fact]
    public void Writes_an_assistant_refusal_as_a_refusal_part()
    {
        var request = new ChatRequest
        {
            Model = "pro",
            Messages =
            [
                ChatMessage.FromText(Role.User, "Do it."),
                new ChatMessage(Role.Assistant, [new RefusalPart("I can't help with that.")]),
                ChatMessage.FromText(Role.User, "Please?"),
            ],
        };

        var written = Write(request);

        JsonAssert.Equal(
            JsonAssert.Parse("""{"type":"message","role":"assistant","content":[{"type":"refusal","refusal":"I can't help with that."}]}"""),
            written["input"]![1]);
    }

    private static (JsonNode Body, ParamAdjustments Adjustments) TranslateChat(string body) => TranslateChat(Encoding.UTF8.GetBytes(body));

    /// <summary>An OpenAI chat body read by the chat codec, then written for a Responses upstream.</summary>
    private static (JsonNode Body, ParamAdjustments Adjustments) TranslateChat(byte[] body)
    {
        var adjustments = new ParamAdjustments();
        var request = ChatCompletionsDialect.Instance.ReadRequest(body, adjustments);
        return (Write(request), adjustments);
    }

    private static (JsonNode Body, ParamAdjustments Adjustments) TranslateAnthropic(string body) => TranslateAnthropic(Encoding.UTF8.GetBytes(body));

    /// <summary>An Anthropic body read by the Messages codec, then written for a Responses upstream.</summary>
    private static (JsonNode Body, ParamAdjustments Adjustments) TranslateAnthropic(byte[] body)
    {
        var adjustments = new ParamAdjustments();
        var request = AnthropicMessagesDialect.Instance.ReadRequest(body, adjustments);
        return (Write(request), adjustments);
    }

    private static JsonNode Write(ChatRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>();
        OpenAIResponsesDialect.Instance.WriteRequest(request, UpstreamModel, buffer);
        return JsonAssert.Parse(buffer.WrittenSpan);
    }

    /// <summary>A copy with every function call's arguments re-serialized without whitespace (Anthropic's input is raw JSON text).</summary>
    private static JsonNode CompactArguments(JsonNode body)
    {
        var copy = body.DeepClone();
        foreach (var item in copy["input"]!.AsArray().Where(i => i!["type"]!.GetValue<string>() == "function_call"))
        {
            item!["arguments"] = JsonAssert.Parse(item["arguments"]!.GetValue<string>()).ToJsonString();
        }

        return copy;
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
}
