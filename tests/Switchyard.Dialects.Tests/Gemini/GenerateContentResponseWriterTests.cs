using System.Buffers;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Gemini;

/// <summary>Neutral answers written as <c>GenerateContentResponse</c> objects for Gemini clients.</summary>
public sealed class GenerateContentResponseWriterTests
{
    private const string GeminiSignature = "CtUBAdHtim8zK1pW4vN6qR2sT8uX0yB3cE5fG7hJ9kL1mN3oP5qR7sT9uV1wX3yZ5aB7cD9eF1gH3iJ5kL7mN9oP1qR3sT5uV7w==";

    [Fact]
    public void Writes_the_generate_content_shape_with_usage_and_cost()
    {
        var response = new ChatResponse
        {
            Id = "chatcmpl-C3kX8aLq0vRz5YbN2uWcT1oPeHs4G",
            Model = "fast",
            Parts =
            [
                new TextPart("Checking the weather."),
                new ToolCallPart("call_8VcQmL3pN2xR7tY1wZ4aB6dE", "get_weather", """{"location":"Paris"}"""),
            ],
            FinishReason = FinishReason.ToolCalls,
            Usage = new Usage { InputTokens = 12, CacheReadTokens = 2048, OutputTokens = 30, ReasoningTokens = 64, Cost = 0.0042m },
        };

        var written = Write(response);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                {
                  "candidates": [{
                    "content": {
                      "role": "model",
                      "parts": [
                        { "text": "Checking the weather." },
                        { "functionCall": { "id": "call_8VcQmL3pN2xR7tY1wZ4aB6dE", "name": "get_weather", "args": { "location": "Paris" } } }
                      ]
                    },
                    "finishReason": "STOP",
                    "index": 0
                  }],
                  "usageMetadata": {
                    "promptTokenCount": 2060, "candidatesTokenCount": 30, "totalTokenCount": 2154,
                    "thoughtsTokenCount": 64, "cachedContentTokenCount": 2048, "cost": 0.0042
                  },
                  "modelVersion": "fast",
                  "responseId": "chatcmpl-C3kX8aLq0vRz5YbN2uWcT1oPeHs4G"
                }
                """),
            written);
    }

    [Fact]
    public void Writes_only_the_counts_there_are_and_no_cost_without_pricing()
    {
        var response = Response(new TextPart("Hi!"));
        response.Usage = new Usage { InputTokens = 5, OutputTokens = 2 };

        var written = Write(response);

        JsonAssert.Equal(JsonAssert.Parse("""{"promptTokenCount":5,"candidatesTokenCount":2,"totalTokenCount":7}"""), written["usageMetadata"]);
    }

    [Theory]
    [InlineData(FinishReason.Stop, "STOP")]
    [InlineData(FinishReason.ToolCalls, "STOP")]
    [InlineData(FinishReason.StopSequence, "STOP")]
    [InlineData(FinishReason.Length, "MAX_TOKENS")]
    [InlineData(FinishReason.ContentFilter, "SAFETY")]
    [InlineData(FinishReason.Refusal, "SAFETY")]
    public void Maps_the_finish_reason(FinishReason finishReason, string expected)
    {
        var response = new ChatResponse { Id = "r", Model = "fast", Parts = [new TextPart("…")], FinishReason = finishReason };

        var written = Write(response);

        Assert.Equal(expected, written["candidates"]![0]!["finishReason"]!.GetValue<string>());
    }

    [Fact]
    public void Round_trips_a_gemini_answer_with_thoughts_text_signed_calls_and_usage()
    {
        var body = FixtureFiles.Bytes("gemini/function-call.response.json");
        var response = GeminiGenerateDialect.Instance.ReadResponse(body);
        response.Model = "fast";

        var written = Write(response);

        // Switchyard gives every call an id and reports the client's model; the per-modality details are not kept.
        var expected = JsonAssert.Parse(body);
        var parts = expected["candidates"]![0]!["content"]!["parts"]!.AsArray();
        var ids = response.Parts.OfType<ToolCallPart>().Select(c => c.Id).ToList();
        parts[2]!["functionCall"]!["id"] = ids[0];
        parts[3]!["functionCall"]!["id"] = ids[1];
        expected["modelVersion"] = "fast";
        expected["usageMetadata"]!.AsObject().Remove("promptTokensDetails");
        expected["usageMetadata"]!.AsObject().Remove("cacheTokensDetails");
        JsonAssert.Equal(expected, written);
    }

    [Fact]
    public void Writes_reasoning_as_thought_parts_and_the_gemini_signature_on_the_part_that_followed()
    {
        var response = Response(
            new ReasoningPart("Paris first."),
            new ReasoningPart(string.Empty) { Signature = ReasoningSignature.Wrap("gemini", GeminiSignature) },
            new ToolCallPart("call_1", "get_weather", """{"location":"Paris"}"""),
            new TextPart("Done."));

        var written = Write(response);

        JsonAssert.Equal(
            JsonAssert.Parse($$$"""
                [{"text":"Paris first.","thought":true},
                 {"functionCall":{"id":"call_1","name":"get_weather","args":{"location":"Paris"}},"thoughtSignature":"{{{GeminiSignature}}}"},
                 {"text":"Done."}]
                """),
            written["candidates"]![0]!["content"]!["parts"]);
    }

    [Fact]
    public void Hands_an_anthropic_signature_out_as_an_opaque_switchyard_signature_that_reads_back_unchanged()
    {
        var anthropic = AnthropicMessagesDialect.Instance.ReadResponse(FixtureFiles.Bytes("anthropic/tool-use.response.json"));
        var thinking = anthropic.Parts.OfType<ReasoningPart>().First(p => p.Signature is not null);

        var written = Write(anthropic);

        var signatures = written["candidates"]![0]!["content"]!["parts"]!.AsArray()
            .Select(p => p!["thoughtSignature"]?.GetValue<string>())
            .OfType<string>()
            .ToList();
        var signature = Assert.Single(signatures);
        Assert.True(ReasoningSignature.TryUnwrap(signature, out var source, out var original));
        Assert.Equal(ReasoningSignature.BareSource, source);
        Assert.Equal(thinking.Signature, original);
        var history = new JsonObject
        {
            ["contents"] = new JsonArray(
                JsonAssert.Parse("""{"role":"user","parts":[{"text":"Hi"}]}"""),
                written["candidates"]![0]!["content"]!.DeepClone()),
        };
        var reread = GeminiGenerateDialect.Instance.ReadRequest(System.Text.Encoding.UTF8.GetBytes(history.ToJsonString()), new ParamAdjustments());
        Assert.Contains(reread.Messages[1].Parts, p => p is ReasoningPart { Signature: var s } && s == signature);
    }

    [Fact]
    public void Writes_an_openai_answer_with_its_reasoning_as_a_thought()
    {
        var body = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1754812345,"model":"deepseek-reasoner",
             "choices":[{"index":0,"message":{"role":"assistant","content":"9.9 is larger.","reasoning_content":"9.9 = 9.90 > 9.11."},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":20,"completion_tokens":30,"total_tokens":50,"completion_tokens_details":{"reasoning_tokens":18}}}
            """u8.ToArray();
        var response = ChatCompletionsDialect.Instance.ReadResponse(body);

        var written = Write(response);

        JsonAssert.Equal(
            JsonAssert.Parse("""[{"text":"9.9 = 9.90 > 9.11.","thought":true},{"text":"9.9 is larger."}]"""),
            written["candidates"]![0]!["content"]!["parts"]);
        JsonAssert.Equal(
            JsonAssert.Parse("""{"promptTokenCount":20,"candidatesTokenCount":12,"totalTokenCount":50,"thoughtsTokenCount":18}"""),
            written["usageMetadata"]);
    }

    [Fact]
    public void Writes_a_refusal_as_text()
    {
        var response = new ChatResponse { Id = "r", Model = "fast", Parts = [new RefusalPart("I can't help with that.")], FinishReason = FinishReason.Refusal };

        var written = Write(response);

        JsonAssert.Equal(JsonAssert.Parse("""[{"text":"I can't help with that."}]"""), written["candidates"]![0]!["content"]!["parts"]);
        Assert.Equal("SAFETY", written["candidates"]![0]!["finishReason"]!.GetValue<string>());
    }

    private static ChatResponse Response(params ContentPart[] parts) =>
        new() { Id = "resp_1", Model = "fast", Parts = [.. parts] };

    private static JsonNode Write(ChatResponse response)
    {
        var buffer = new ArrayBufferWriter<byte>();
        GeminiGenerateDialect.Instance.WriteResponse(response, buffer);
        return JsonAssert.Parse(buffer.WrittenSpan);
    }
}
