using System.Buffers;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Anthropic;

/// <summary>Neutral answers written as Anthropic <c>message</c> objects for Anthropic clients.</summary>
public sealed class MessagesResponseWriterTests
{
    [Fact]
    public void Round_trips_a_response_with_thinking_redacted_thinking_and_tool_use()
    {
        var body = FixtureFiles.Bytes("anthropic/tool-use.response.json");

        var written = Write(AnthropicMessagesDialect.Instance.ReadResponse(body));

        // Usage details the neutral model does not carry: the cache write split by lifetime and the service tier.
        var expected = JsonAssert.Parse(body);
        expected["usage"]!.AsObject().Remove("cache_creation");
        expected["usage"]!.AsObject().Remove("service_tier");
        JsonAssert.Equal(expected, written);
    }

    [Fact]
    public void Writes_the_message_shape_with_usage_and_cost()
    {
        var response = new ChatResponse
        {
            Id = "msg_01AbCdEf",
            Model = "fast",
            Parts =
            [
                new TextPart("Checking the weather."),
                new ToolCallPart("toolu_01", "get_weather", """{"location":"Paris"}"""),
            ],
            FinishReason = FinishReason.ToolCalls,
            Usage = new Usage { InputTokens = 12, CacheReadTokens = 2048, CacheWriteTokens = 100, OutputTokens = 30, Cost = 0.0042m },
        };

        var written = Write(response);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                {
                  "id": "msg_01AbCdEf", "type": "message", "role": "assistant", "model": "fast",
                  "content": [
                    { "type": "text", "text": "Checking the weather." },
                    { "type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": { "location": "Paris" } }
                  ],
                  "stop_reason": "tool_use",
                  "stop_sequence": null,
                  "usage": {
                    "input_tokens": 12, "cache_creation_input_tokens": 100, "cache_read_input_tokens": 2048,
                    "output_tokens": 30, "cost": 0.0042
                  }
                }
                """),
            written);
    }

    [Fact]
    public void Signs_reasoning_that_arrived_without_a_signature()
    {
        var response = Response(new ReasoningPart("9.9 is 9.90, larger than 9.11."), new TextPart("9.9"));

        var written = Write(response);

        var thinking = written["content"]![0]!;
        Assert.Equal("thinking", thinking["type"]!.GetValue<string>());
        Assert.Equal("9.9 is 9.90, larger than 9.11.", thinking["thinking"]!.GetValue<string>());
        var signature = thinking["signature"]!.GetValue<string>();
        Assert.True(ReasoningSignature.IsSwitchyard(signature));
        Assert.True(ReasoningSignature.TryUnwrap(signature, out _, out var original));
        Assert.Null(original);
        JsonAssert.Equal(JsonAssert.Parse("""{"type":"text","text":"9.9"}"""), written["content"]![1]);
    }

    [Fact]
    public void Keeps_a_providers_signature_exactly()
    {
        var response = Response(new ReasoningPart("Hmm.") { Signature = "EqQBCkgIBxABGAIiQL3n+/w==" });

        var written = Write(response);

        JsonAssert.Equal(
            JsonAssert.Parse("""[{"type":"thinking","thinking":"Hmm.","signature":"EqQBCkgIBxABGAIiQL3n+/w=="}]"""),
            written["content"]);
    }

    [Theory]
    [InlineData(FinishReason.Stop, "end_turn")]
    [InlineData(FinishReason.Length, "max_tokens")]
    [InlineData(FinishReason.StopSequence, "stop_sequence")]
    [InlineData(FinishReason.ToolCalls, "tool_use")]
    [InlineData(FinishReason.ContentFilter, "refusal")]
    [InlineData(FinishReason.Refusal, "refusal")]
    [InlineData(FinishReason.Other, "end_turn")]
    public void Maps_the_finish_reason_to_a_stop_reason(FinishReason finishReason, string stopReason)
    {
        var response = new ChatResponse { Id = "msg_1", Model = "fast", Parts = [new TextPart("Hi")], FinishReason = finishReason };

        var written = Write(response);

        Assert.Equal(stopReason, written["stop_reason"]!.GetValue<string>());
    }

    [Fact]
    public void Counts_reasoning_tokens_as_output_tokens()
    {
        var response = Response(new TextPart("Hi"));
        response.Usage = new Usage { InputTokens = 17, OutputTokens = 18, ReasoningTokens = 78 };

        var written = Write(response);

        JsonAssert.Equal(
            JsonAssert.Parse("""{"input_tokens":17,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":96}"""),
            written["usage"]);
    }

    [Fact]
    public void Writes_an_openai_upstreams_answer_for_an_anthropic_client()
    {
        var openAi = ChatCompletionsDialect.Instance.ReadResponse(FixtureFiles.Bytes("openai-chat/tool-calls.response.json"));
        openAi.Model = "fast";

        var written = Write(openAi);

        Assert.StartsWith("msg_", written["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("fast", written["model"]!.GetValue<string>());
        Assert.Equal("tool_use", written["stop_reason"]!.GetValue<string>());
        var blocks = written["content"]!.AsArray();
        Assert.Equal(["tool_use", "tool_use"], blocks.Select(b => b!["type"]!.GetValue<string>()));
        Assert.All(blocks, b => Assert.IsType<JsonObject>(b!["input"]));
        // prompt_tokens 1117 with 1024 cached; completion_tokens 250 with 192 reasoning.
        JsonAssert.Equal(
            JsonAssert.Parse("""{"input_tokens":93,"cache_creation_input_tokens":0,"cache_read_input_tokens":1024,"output_tokens":250}"""),
            written["usage"]);
    }

    [Fact]
    public void Wraps_tool_arguments_that_are_not_a_json_object()
    {
        var response = Response(new ToolCallPart("call.1", "f", "not json"), new ToolCallPart("call_2", "g", ""));

        var written = Write(response);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                [{"type":"tool_use","id":"call_1","name":"f","input":{"arguments":"not json"}},
                 {"type":"tool_use","id":"call_2","name":"g","input":{}}]
                """),
            written["content"]);
    }

    private static ChatResponse Response(params ContentPart[] parts) => new()
    {
        Id = "msg_1",
        Model = "fast",
        Parts = [.. parts],
    };

    private static JsonNode Write(ChatResponse response)
    {
        var buffer = new ArrayBufferWriter<byte>();
        AnthropicMessagesDialect.Instance.WriteResponse(response, buffer);
        return JsonAssert.Parse(buffer.WrittenSpan);
    }
}
