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

/// <summary>
/// A choice limited to some of the tools (Gemini <c>allowedFunctionNames</c>, OpenAI
/// <c>allowed_tools</c>) crosses every dialect: natively where the upstream has the field,
/// otherwise by sending only the tools the model may call.
/// </summary>
public sealed class AllowedToolsTests
{
    private const string ThreeTools = """
        [{"functionDeclarations":[
          {"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}},
          {"name":"get_time","parameters":{"type":"object","properties":{"zone":{"type":"string"}}}},
          {"name":"delete_files","parameters":{"type":"object","properties":{"path":{"type":"string"}}}}]}]
        """;

    [Fact]
    public void Gemini_any_among_two_functions_reaches_openai_as_required_with_only_those_two_tools()
    {
        var request = ReadGemini("""{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather","get_time"]}}""");

        var written = Write(ChatCompletionsDialect.Instance, request);

        Assert.Equal(ToolChoiceMode.Required, request.ToolChoice!.Mode);
        Assert.Equal(["get_weather", "get_time"], request.ToolChoice.Allowed!);
        Assert.Equal("required", (string?)written["tool_choice"]);
        Assert.Equal(["get_weather", "get_time"], written["tools"]!.AsArray().Select(t => (string)t!["function"]!["name"]!));
    }

    [Fact]
    public void Gemini_any_among_two_functions_reaches_anthropic_as_any_with_only_those_two_tools()
    {
        var request = ReadGemini("""{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather","get_time"]}}""");

        var written = Write(AnthropicMessagesDialect.Instance, request);

        Assert.Equal("any", (string?)written["tool_choice"]!["type"]);
        Assert.Equal(["get_weather", "get_time"], written["tools"]!.AsArray().Select(t => (string)t!["name"]!));
    }

    [Fact]
    public void Gemini_any_with_one_name_stays_that_function()
    {
        var request = ReadGemini("""{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_time"]}}""");

        Assert.Equal(ToolChoice.Function("get_time"), request.ToolChoice);
    }

    [Fact]
    public void Openai_allowed_tools_required_reaches_gemini_natively_with_every_tool_declared()
    {
        var body = """
            {"model":"m","messages":[{"role":"user","content":"hi"}],
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},
                      {"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"zone":{"type":"string"}}}}},
                      {"type":"function","function":{"name":"delete_files","parameters":{"type":"object","properties":{"path":{"type":"string"}}}}}],
             "tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"required","tools":[
               {"type":"function","function":{"name":"get_weather"}},{"type":"function","function":{"name":"get_time"}}]}}}
            """;
        var request = ChatCompletionsDialect.Instance.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments());

        var written = Write(GeminiGenerateDialect.Instance, request);

        var config = written["toolConfig"]!["functionCallingConfig"]!;
        Assert.Equal("ANY", (string?)config["mode"]);
        Assert.Equal(["get_weather", "get_time"], config["allowedFunctionNames"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(3, written["tools"]![0]!["functionDeclarations"]!.AsArray().Count);
    }

    [Fact]
    public void Responses_allowed_tools_auto_sends_only_the_allowed_tools_and_leaves_the_choice_to_the_model()
    {
        var body = """
            {"model":"m","input":"hi",
             "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{}}},
                      {"type":"function","name":"delete_files","parameters":{"type":"object","properties":{}}}],
             "tool_choice":{"type":"allowed_tools","mode":"auto","tools":[{"type":"function","name":"get_weather"}]}}
            """;
        var request = OpenAIResponsesDialect.Instance.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments());

        var toGemini = Write(GeminiGenerateDialect.Instance, request);
        var toAnthropic = Write(AnthropicMessagesDialect.Instance, request);

        Assert.Equal("AUTO", (string?)toGemini["toolConfig"]!["functionCallingConfig"]!["mode"]);
        Assert.Equal(["get_weather"], toGemini["tools"]![0]!["functionDeclarations"]!.AsArray().Select(t => (string)t!["name"]!));
        Assert.Equal("auto", (string?)toAnthropic["tool_choice"]!["type"]);
        Assert.Equal(["get_weather"], toAnthropic["tools"]!.AsArray().Select(t => (string)t!["name"]!));
    }

    [Theory]
    [InlineData("""{"type":"allowed_tools","allowed_tools":{"mode":"sometimes","tools":[{"type":"function","function":{"name":"a"}}]}}""")]
    [InlineData("""{"type":"allowed_tools","allowed_tools":{"mode":"auto","tools":[]}}""")]
    public void Rejects_an_allowed_tools_choice_without_a_mode_or_a_tool(string choice)
    {
        var body = """{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":""" + choice + "}";

        var error = Assert.Throws<GatewayException>(() => ChatCompletionsDialect.Instance.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments()));

        Assert.Equal(GatewayErrorKind.InvalidRequest, error.Error.Kind);
        Assert.StartsWith("tool_choice.allowed_tools.", error.Error.Param, StringComparison.Ordinal);
    }

    private static ChatRequest ReadGemini(string toolConfig)
    {
        var body = $$"""{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"tools":{{ThreeTools}},"toolConfig":{{toolConfig}}}""";
        var request = GeminiGenerateDialect.Instance.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments());
        request.Model = "m";
        return request;
    }

    private static JsonNode Write(ChatDialect dialect, ChatRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>();
        dialect.WriteRequest(request, "upstream-model", buffer);
        return JsonAssert.Parse(buffer.WrittenSpan);
    }
}
