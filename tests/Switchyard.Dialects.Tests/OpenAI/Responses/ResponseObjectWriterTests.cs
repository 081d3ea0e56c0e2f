using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.OpenAI.Responses;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.OpenAI.Responses;

/// <summary>Neutral answers written as the Responses API's <c>response</c> object for Responses clients.</summary>
public sealed class ResponseObjectWriterTests
{
    private const string ReasoningToolCallResponse = "openai-responses/reasoning-tool-call.response.json";

    [Fact]
    public void Writes_the_response_object_the_openai_sdks_parse()
    {
        var response = new ChatResponse
        {
            Id = "resp_gateway_1",
            Model = "fast",
            Created = DateTimeOffset.FromUnixTimeSeconds(1755697377),
            Parts = [new TextPart("Checking the weather."), new ToolCallPart("call_1", "get_weather", """{"location":"Paris"}""")],
            FinishReason = FinishReason.ToolCalls,
            Usage = new Usage { InputTokens = 12, CacheReadTokens = 2048, OutputTokens = 30, ReasoningTokens = 64, Cost = 0.0042m },
        };

        var written = Write(response).AsObject();

        var output = written["output"]!.AsArray();
        var messageId = output[0]!["id"]!.GetValue<string>();
        var callId = output[1]!["id"]!.GetValue<string>();
        Assert.StartsWith("msg_", messageId, StringComparison.Ordinal);
        Assert.StartsWith("fc_", callId, StringComparison.Ordinal);
        JsonAssert.Equal(
            JsonAssert.Parse($$"""
                {
                  "id": "resp_gateway_1", "object": "response", "created_at": 1755697377, "status": "completed",
                  "error": null, "incomplete_details": null, "instructions": null, "max_output_tokens": null, "model": "fast",
                  "output": [
                    { "id": "{{messageId}}", "type": "message", "status": "completed", "role": "assistant",
                      "content": [ { "type": "output_text", "text": "Checking the weather.", "annotations": [], "logprobs": [] } ] },
                    { "id": "{{callId}}", "type": "function_call", "status": "completed", "call_id": "call_1", "name": "get_weather", "arguments": "{\"location\":\"Paris\"}" }
                  ],
                  "parallel_tool_calls": true, "previous_response_id": null, "reasoning": { "effort": null, "summary": null },
                  "store": true, "temperature": 1, "text": { "format": { "type": "text" } }, "tool_choice": "auto", "tools": [], "top_p": 1,
                  "truncation": "disabled",
                  "usage": {
                    "input_tokens": 2060, "input_tokens_details": { "cached_tokens": 2048 },
                    "output_tokens": 94, "output_tokens_details": { "reasoning_tokens": 64 },
                    "total_tokens": 2154, "cost": 0.0042
                  },
                  "user": null, "metadata": {}, "output_text": "Checking the weather."
                }
                """),
            written);
    }

    [Fact]
    public void Round_trips_a_responses_answer_keeping_the_reasoning_item_and_its_encrypted_content()
    {
        var body = FixtureFiles.Bytes(ReasoningToolCallResponse);
        var upstream = FixtureFiles.Json(ReasoningToolCallResponse);

        var written = Write(OpenAIResponsesDialect.Instance.ReadResponse(body));

        var output = written["output"]!.AsArray();
        JsonAssert.Equal(upstream["output"]![0], output[0]);
        Assert.Equal(["reasoning", "message", "function_call"], output.Select(i => i!["type"]!.GetValue<string>()));
        JsonAssert.Equal(upstream["output"]![1]!["content"], output[1]!["content"]);
        foreach (var name in new[] { "call_id", "name", "arguments", "status" })
        {
            Assert.Equal(upstream["output"]![2]![name]!.GetValue<string>(), output[2]![name]!.GetValue<string>());
        }

        JsonAssert.Equal(JsonAssert.WithoutNulls(upstream["usage"]), written["usage"]);
        Assert.Equal("Let me check the weather in Paris.", written["output_text"]!.GetValue<string>());
    }

    [Fact]
    public void Reads_back_what_it_wrote()
    {
        var original = OpenAIResponsesDialect.Instance.ReadResponse(FixtureFiles.Bytes(ReasoningToolCallResponse));

        var reread = OpenAIResponsesDialect.Instance.ReadResponse(JsonSerializer.SerializeToUtf8Bytes(Write(original)));

        Assert.Equal(original.Id, reread.Id);
        Assert.Equal(original.Created, reread.Created);
        Assert.Equal(original.FinishReason, reread.FinishReason);
        Assert.Equal(original.Usage, reread.Usage);
        Assert.Equal(original.Parts.Skip(1), reread.Parts.Skip(1));
        var reasoning = Assert.IsType<ReasoningPart>(reread.Parts[0]);
        var expected = (ReasoningPart)original.Parts[0];
        Assert.Equal((expected.Text, expected.Signature, expected.EncryptedContent), (reasoning.Text, reasoning.Signature, reasoning.EncryptedContent));
    }

    [Theory]
    [InlineData(FinishReason.Stop, "completed", null)]
    [InlineData(FinishReason.ToolCalls, "completed", null)]
    [InlineData(FinishReason.StopSequence, "completed", null)]
    [InlineData(FinishReason.Length, "incomplete", "max_output_tokens")]
    [InlineData(FinishReason.ContentFilter, "incomplete", "content_filter")]
    public void Reports_the_finish_reason_as_status_and_incomplete_details(FinishReason finishReason, string status, string? reason)
    {
        var response = new ChatResponse { Id = "resp_1", Model = "fast", Parts = [new TextPart("Once upon a time")], FinishReason = finishReason };

        var written = Write(response);

        Assert.Equal(status, written["status"]!.GetValue<string>());
        JsonAssert.Equal(reason is null ? null : new JsonObject { ["reason"] = reason }, written["incomplete_details"]);
    }

    [Fact]
    public void Joins_consecutive_text_into_one_message_and_starts_another_after_a_call()
    {
        var response = new ChatResponse
        {
            Id = "resp_1",
            Model = "fast",
            Parts = [new TextPart("One."), new TextPart("Two."), new ToolCallPart("call_1", "f", "{}"), new TextPart("Three."), new RefusalPart("No.")],
        };

        var written = Write(response);

        var output = written["output"]!.AsArray();
        Assert.Equal(["message", "function_call", "message"], output.Select(i => i!["type"]!.GetValue<string>()));
        Assert.Equal(["One.", "Two."], output[0]!["content"]!.AsArray().Select(c => c!["text"]!.GetValue<string>()));
        JsonAssert.Equal(
            JsonAssert.Parse("""[{"type":"output_text","text":"Three.","annotations":[],"logprobs":[]},{"type":"refusal","refusal":"No."}]"""),
            output[2]!["content"]);
        Assert.Equal("One.Two.Three.", written["output_text"]!.GetValue<string>());
        Assert.Equal(3, output.Select(i => i!["id"]!.GetValue<string>()).Distinct().Count());
    }

    [Fact]
    public void Writes_anthropic_thinking_as_reasoning_items_and_tool_use_as_function_calls()
    {
        var response = AnthropicMessagesDialect.Instance.ReadResponse(FixtureFiles.Bytes("anthropic/tool-use.response.json"));
        response.Model = "claude";

        var written = Write(response);

        var output = written["output"]!.AsArray();
        Assert.Equal(["reasoning", "reasoning", "message", "function_call", "function_call"], output.Select(i => i!["type"]!.GetValue<string>()));
        JsonAssert.Equal(JsonAssert.Parse("""[{"type":"summary_text","text":"Two cities, so two calls to get_weather."}]"""), output[0]!["summary"]);
        // The thinking signature rides along, so a stored or resent conversation can give it back to Anthropic.
        var signature = response.Parts.OfType<ReasoningPart>().First().Signature;
        Assert.Equal(ReasoningSignature.Wrap(ReasoningSignature.BareSource, signature), output[0]!["encrypted_content"]!.GetValue<string>());
        Assert.Equal(["toolu_01T1x1fJ34qAmk2tNTrN7Up6", "toolu_01Vz8a4BWc3H8qkF7TnLc2Pm"], output.Skip(3).Select(i => i!["call_id"]!.GetValue<string>()));
        Assert.All(output.Where(i => i!["type"]!.GetValue<string>() == "reasoning"), i => Assert.StartsWith("rs_", i!["id"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Equal(new[] { 10045L, 310L }, new[] { written["usage"]!["input_tokens"]!.GetValue<long>(), written["usage"]!["output_tokens"]!.GetValue<long>() });
    }

    [Fact]
    public void Echoes_the_clients_metadata()
    {
        var response = TextResponse("Hi");
        response.Metadata = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["session"] = "8d1b" });

        var written = Write(response);

        JsonAssert.Equal(JsonAssert.Parse("""{"session":"8d1b"}"""), written["metadata"]);
    }

    [Fact]
    public void Repeats_the_settings_the_request_was_made_with_and_defaults_the_rest()
    {
        var body = """
            {"model":"fast","input":"Hi","instructions":"Be brief.","max_output_tokens":300,"store":false,"temperature":0.2,
             "top_p":null,"tool_choice":"required","parallel_tool_calls":false,"previous_response_id":"resp_prev","user":"u-1",
             "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{}},"strict":false}],
             "text":{"format":{"type":"json_schema","name":"answer","schema":{"type":"object"},"strict":true}},
             "reasoning":{"effort":"low","summary":"auto"}}
            """u8.ToArray();
        var request = OpenAIResponsesDialect.Instance.ReadRequest(body, new ParamAdjustments());
        var response = TextResponse("Hi");
        response.Echo = request.Echo;

        var written = Write(response);

        Assert.Equal("Be brief.", (string?)written["instructions"]);
        Assert.Equal(300, (int)written["max_output_tokens"]!);
        Assert.False((bool)written["store"]!);
        Assert.Equal(0.2, (double)written["temperature"]!);
        Assert.Equal(1, (double)written["top_p"]!);
        Assert.Equal("required", (string?)written["tool_choice"]);
        Assert.False((bool)written["parallel_tool_calls"]!);
        Assert.Equal("resp_prev", (string?)written["previous_response_id"]);
        Assert.Equal("u-1", (string?)written["user"]);
        Assert.Equal("disabled", (string?)written["truncation"]);
        JsonAssert.Equal(JsonAssert.Parse("""[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{}},"strict":false}]"""), written["tools"]);
        JsonAssert.Equal(JsonAssert.Parse("""{"format":{"type":"json_schema","name":"answer","schema":{"type":"object"},"strict":true}}"""), written["text"]);
        JsonAssert.Equal(JsonAssert.Parse("""{"effort":"low","summary":"auto"}"""), written["reasoning"]);
        Assert.Null(written["input"]);
    }

    private static ChatResponse TextResponse(string text) => new() { Id = "resp_1", Model = "fast", Parts = [new TextPart(text)] };

    private static JsonNode Write(ChatResponse response)
    {
        var buffer = new ArrayBufferWriter<byte>();
        OpenAIResponsesDialect.Instance.WriteResponse(response, buffer);
        return JsonAssert.Parse(buffer.WrittenSpan);
    }
}
