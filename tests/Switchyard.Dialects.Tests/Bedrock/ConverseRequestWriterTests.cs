using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Bedrock;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Bedrock;

/// <summary>Converse bodies for Bedrock, from neutral requests as the Anthropic and OpenAI surfaces read them.</summary>
public sealed class ConverseRequestWriterTests
{
    private const string Claude = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    private const string Llama = "meta.llama3-3-70b-instruct-v1:0";
    private const string Nova = "amazon.nova-premier-v1:0";

    private const string AnthropicSignature = "EqQBCkgIBxABGAIiQL3nVw0pDcC2Vq1sC+w/y4iCZ3Dd8oJxB3aXq5f8VxKp0zT9J2bG+eR1Y6hQnN7uWm4cLs0aPdF2iXo8EgwN1fQ2rZlH7kU9yWQaDNh1pJ3kQ4mV8tZ6+A==";

    [Fact]
    public void Writes_an_anthropic_conversation_as_converse_with_cache_points_signed_reasoning_and_thinking()
    {
        var body = FixtureFiles.Bytes("bedrock/conversation.request.json");

        var (written, adjustments) = FromAnthropic(body, Claude);

        JsonAssert.Equal(FixtureFiles.Json("bedrock/conversation.upstream.expected.json"), written);
        Assert.True(adjustments.IsEmpty, adjustments.ToString());
    }

    [Fact]
    public void Sends_back_only_reasoning_bedrock_signed_and_then_cannot_keep_thinking_mid_tool_loop()
    {
        // The same conversation, but its thinking was signed by Anthropic's own API, which Bedrock would refuse.
        var body = Encoding.UTF8.GetString(FixtureFiles.Bytes("bedrock/conversation.request.json"));
        var foreign = body.Replace(
            "sy1.bedrock." + Convert.ToBase64String(Encoding.UTF8.GetBytes(AnthropicSignature)),
            AnthropicSignature,
            StringComparison.Ordinal);

        var (written, adjustments) = FromAnthropic(Encoding.UTF8.GetBytes(foreign), Claude);

        var assistant = written["messages"]![1]!["content"]!.AsArray();
        Assert.DoesNotContain(assistant, block => block!["reasoningContent"] is not null);
        Assert.Null(written["additionalModelRequestFields"]);
        Assert.Equal(["reasoning_effort=dropped"], adjustments.Entries);
    }

    [Fact]
    public void Declares_the_called_tools_when_the_client_stopped_sending_tools()
    {
        var body = """
            {"model":"m","messages":[
              {"role":"user","content":"Weather in Paris?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"18°C"},
              {"role":"user","content":"Thanks, and in one word?"}]}
            """;

        var (written, _) = FromOpenAI(body, Llama);

        JsonAssert.Equal(
            JsonAssert.Parse("""{"tools":[{"toolSpec":{"name":"get_weather","inputSchema":{"json":{"type":"object","properties":{}}}}}]}"""),
            written["toolConfig"]);
        var messages = written["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "user"], messages.Select(m => m!["role"]!.GetValue<string>()));
        JsonAssert.Equal(
            JsonAssert.Parse("""[{"toolResult":{"toolUseId":"call_1","content":[{"text":"18°C"}]}},{"text":"Thanks, and in one word?"}]"""),
            messages[2]!["content"]);
    }

    [Fact]
    public void Offers_no_tools_for_tool_choice_none_in_a_conversation_without_tool_blocks()
    {
        var body = """
            {"model":"m","messages":[{"role":"user","content":"Hi"}],"tool_choice":"none",
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}
            """;

        var (written, adjustments) = FromOpenAI(body, Llama);

        Assert.Null(written["toolConfig"]);
        Assert.True(adjustments.IsEmpty);
    }

    [Theory]
    [InlineData("required", """{"any":{}}""")]
    [InlineData("auto", """{"auto":{}}""")]
    [InlineData("""{"type":"function","function":{"name":"get_weather"}}""", """{"tool":{"name":"get_weather"}}""")]
    public void Maps_tool_choice(string choice, string expected)
    {
        var wireChoice = choice.StartsWith('{') ? choice : $"\"{choice}\"";
        var body = """{"model":"m","messages":[{"role":"user","content":"Hi"}],"tool_choice":""" + wireChoice + ""","tools":[{"type":"function","function":{"name":"get_weather","description":"Weather.","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}""";

        var (written, _) = FromOpenAI(body, Llama);

        JsonAssert.Equal(JsonAssert.Parse(expected), written["toolConfig"]!["toolChoice"]);
        JsonAssert.Equal(
            JsonAssert.Parse("""{"name":"get_weather","description":"Weather.","inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}}}}}"""),
            written["toolConfig"]!["tools"]![0]!["toolSpec"]);
    }

    [Fact]
    public void Forces_the_json_output_tool_for_structured_output()
    {
        var body = """
            {"model":"m","messages":[{"role":"user","content":"Weather?"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"weather","schema":{"type":"object","properties":{"temp":{"type":"number"}}}}}}
            """;

        var (written, _) = FromOpenAI(body, Claude);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"tools":[{"toolSpec":{"name":"switchyard_json_output","description":"Respond with the final answer as this tool's input.",
                  "inputSchema":{"json":{"type":"object","properties":{"temp":{"type":"number"}}}}}}],
                 "toolChoice":{"tool":{"name":"switchyard_json_output"}}}
                """),
            written["toolConfig"]);
    }

    [Fact]
    public void Refuses_an_image_from_a_web_url_with_a_clear_error()
    {
        var body = """
            {"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}
            """;

        var error = Assert.Throws<GatewayException>(() => FromOpenAI(body, Claude));

        Assert.Equal(GatewayErrorKind.InvalidRequest, error.Error.Kind);
        Assert.Contains("s3://", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sends_data_url_images_as_bytes_and_s3_images_by_location()
    {
        var body = """
            {"model":"m","messages":[{"role":"user","content":[
              {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}},
              {"type":"image_url","image_url":{"url":"s3://bucket/photos/cat.webp"}}]}]}
            """;

        var (written, _) = FromOpenAI(body, Claude);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                [{"image":{"format":"jpeg","source":{"bytes":"/9j/4AAQ"}}},
                 {"image":{"format":"webp","source":{"s3Location":{"uri":"s3://bucket/photos/cat.webp"}}}}]
                """),
            written["messages"]![0]!["content"]);
    }

    [Fact]
    public void Writes_cache_points_only_for_models_with_prompt_caching()
    {
        var body = FixtureFiles.Bytes("bedrock/conversation.request.json");

        var (llama, _) = FromAnthropic(body, Llama);
        var (nova, _) = FromAnthropic(body, Nova);

        Assert.DoesNotContain("cachePoint", llama.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("cachePoint", nova.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Asks_nova_for_reasoning_by_effort_and_drops_it_for_models_without_a_switch()
    {
        var body = """{"model":"m","messages":[{"role":"user","content":"Think."}],"reasoning_effort":"high","max_completion_tokens":900}""";

        var (nova, novaAdjustments) = FromOpenAI(body, Nova);
        var (llama, llamaAdjustments) = FromOpenAI(body, Llama);

        JsonAssert.Equal(JsonAssert.Parse("""{"reasoningConfig":{"type":"enabled","maxReasoningEffort":"high"}}"""), nova["additionalModelRequestFields"]);
        Assert.True(novaAdjustments.IsEmpty);
        Assert.Null(llama["additionalModelRequestFields"]);
        Assert.Equal(["reasoning_effort=dropped"], llamaAdjustments.Entries);
        Assert.Equal(900, llama["inferenceConfig"]!["maxTokens"]!.GetValue<int>());
    }

    [Fact]
    public void Clamps_temperature_for_anthropic_models_only_and_passes_top_k_to_them()
    {
        var body = """{"model":"m","messages":[{"role":"user","content":"Hi"}],"temperature":1.5,"top_p":0.9}""";

        var (claude, claudeAdjustments) = FromOpenAI(body, Claude);
        var (llama, llamaAdjustments) = FromOpenAI(body, Llama);

        Assert.Equal(1, claude["inferenceConfig"]!["temperature"]!.GetValue<double>());
        Assert.Equal(4096, claude["inferenceConfig"]!["maxTokens"]!.GetValue<int>());
        Assert.Equal(["temperature=clamped:1.5->1"], claudeAdjustments.Entries);
        Assert.Equal(1.5, llama["inferenceConfig"]!["temperature"]!.GetValue<double>());
        Assert.Null(llama["inferenceConfig"]!["maxTokens"]);
        Assert.True(llamaAdjustments.IsEmpty);
    }

    [Fact]
    public void Names_documents_as_bedrock_requires_and_keeps_the_names_distinct()
    {
        var request = new ChatRequest
        {
            Model = "m",
            Messages =
            [
                new ChatMessage(Role.User,
                [
                    new DocumentPart { Base64Data = "JVBERi0=", MediaType = "application/pdf", FileName = "report_2025.final.pdf" },
                    new DocumentPart { Base64Data = "JVBERi0=", MediaType = "application/pdf", FileName = "report_2025.final.pdf" },
                    new DocumentPart { Text = "notes", Title = "  " },
                ]),
            ],
        };

        var written = Write(request, Llama);

        var names = written["messages"]![0]!["content"]!.AsArray().Select(b => b!["document"]!["name"]!.GetValue<string>());
        Assert.Equal(["report-2025-final-pdf", "report-2025-final-pdf (2)", "document"], names);
    }

    [Fact]
    public void Marks_failed_tool_results_and_keeps_images_inside_them()
    {
        var request = new ChatRequest
        {
            Model = "m",
            Messages =
            [
                ChatMessage.FromText(Role.User, "Draw."),
                new ChatMessage(Role.Assistant, [new ToolCallPart("call.1", "draw", """{"shape":"cat"}""")]),
                new ChatMessage(Role.Tool, [new ToolResultPart("call.1", [new TextPart("partial"), new ImagePart { Base64Data = "iVBO", MediaType = "image/png" }]) { IsError = true }]),
            ],
            Tools = [new ToolDefinition("draw")],
        };

        var written = Write(request, Claude);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"toolResult":{"toolUseId":"call_1","status":"error","content":[{"text":"partial"},{"image":{"format":"png","source":{"bytes":"iVBO"}}}]}}
                """),
            written["messages"]![2]!["content"]![0]);
        Assert.Equal("call_1", written["messages"]![1]!["content"]![0]!["toolUse"]!["toolUseId"]!.GetValue<string>());
    }

    private static (JsonNode Written, ParamAdjustments Adjustments) FromAnthropic(byte[] body, string model)
    {
        var adjustments = new ParamAdjustments();
        var request = AnthropicMessagesDialect.Instance.ReadRequest(body, adjustments);
        return (Write(request, model), adjustments);
    }

    private static (JsonNode Written, ParamAdjustments Adjustments) FromOpenAI(string body, string model)
    {
        var adjustments = new ParamAdjustments();
        var request = ChatCompletionsDialect.Instance.ReadRequest(Encoding.UTF8.GetBytes(body), adjustments);
        return (Write(request, model), adjustments);
    }

    private static JsonNode Write(ChatRequest request, string model)
    {
        var output = new ArrayBufferWriter<byte>();
        ConverseDialect.Instance.WriteRequest(request, model, output);
        return JsonAssert.Parse(output.WrittenSpan);
    }
}
