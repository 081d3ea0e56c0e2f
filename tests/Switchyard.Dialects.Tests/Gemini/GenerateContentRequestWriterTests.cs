using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Gemini;

/// <summary>Requests for a Gemini upstream, from neutral requests as the OpenAI, Anthropic and Gemini surfaces read them.</summary>
public sealed class GenerateContentRequestWriterTests
{
    private const string UpstreamModel = "gemini-2.5-flash";
    private const string MinimalRequest = """{"model":"gemini","messages":[{"role":"user","content":"Hi"}]}""";

    // A tool round: the assistant called get_weather, the client answered; OpenAI tool messages carry only the id.
    private const string ToolRound = """
        {"model":"gemini","messages":[
          {"role":"user","content":"Weather in Paris?"},
          {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}}]},
          {"role":"tool","tool_call_id":"call_1","content":"18°C"}],
         "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"location":{"type":"string"}}}}}]}
        """;

    // A Gemini thought signature as it comes back on a function call part: base64 with '+', '/' and '=' that must survive untouched.
    private const string GeminiSignature = "CvICAdHtim9Vq0T1mYz3Q+8mSxW2kVh5Lr0dPqJc7Nf4XuA2bGtE1oZi6yKwC3sRnU9pMvD8eHfBj5aQlIxS0rN7cTgW/Zh4Y2KdFpO1uEbV6iL9nJmXw3==";

    [Fact]
    public void Writes_an_openai_conversation_in_geminis_shape()
    {
        var body = FixtureFiles.Bytes("openai-chat/tools-and-images.request.json");

        var (written, adjustments) = Translate(body);

        JsonAssert.Equal(FixtureFiles.Json("gemini/from-openai-chat.expected.json"), written);
        Assert.Equal(["prompt_cache_key=dropped", "user=dropped"], adjustments.Entries);
    }

    [Fact]
    public void Writes_a_gemini_client_request_back_for_a_gemini_upstream()
    {
        var adjustments = new ParamAdjustments();
        var request = GeminiGenerateDialect.Instance.ReadRequest(FixtureFiles.Bytes("gemini/conversation.request.json"), adjustments);

        var written = Write(request, upstreamModel: "gemini-2.5-pro");

        JsonAssert.Equal(FixtureFiles.Json("gemini/conversation.upstream.expected.json"), written);
    }

    [Fact]
    public void Folds_system_and_developer_messages_from_anywhere_into_the_system_instruction()
    {
        var body = """
            {"model":"gemini","messages":[
              {"role":"developer","content":"Rule one."},
              {"role":"user","content":"Hi"},
              {"role":"assistant","content":"Hello"},
              {"role":"system","content":[{"type":"text","text":"Rule two."}]},
              {"role":"system","content":""},
              {"role":"user","content":"Bye"}]}
            """;

        var (written, _) = Translate(body);

        JsonAssert.Equal(JsonAssert.Parse("""{"parts":[{"text":"Rule one."},{"text":"Rule two."}]}"""), written["systemInstruction"]);
        JsonAssert.Equal(
            JsonAssert.Parse("""
                [{"role":"user","parts":[{"text":"Hi"}]},
                 {"role":"model","parts":[{"text":"Hello"}]},
                 {"role":"user","parts":[{"text":"Bye"}]}]
                """),
            written["contents"]);
    }

    [Fact]
    public void Sends_no_system_instruction_when_there_are_no_instructions()
    {
        var (written, _) = Translate(MinimalRequest);

        Assert.False(written.AsObject().ContainsKey("systemInstruction"));
        Assert.False(written.AsObject().ContainsKey("tools"));
        Assert.False(written.AsObject().ContainsKey("toolConfig"));
        JsonAssert.Equal(JsonAssert.Parse("""[{"role":"user","parts":[{"text":"Hi"}]}]"""), written["contents"]);
    }

    [Fact]
    public void Names_each_function_response_after_its_call_and_wraps_plain_text_output()
    {
        var (written, _) = Translate(ToolRound);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                [{"role":"user","parts":[{"text":"Weather in Paris?"}]},
                 {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"location":"Paris"}}}]},
                 {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"result":"18°C"}}}]}]
                """),
            written["contents"]);
    }

    [Theory]
    [InlineData("""{\"temperature\":18,\"unit\":\"C\"}""", """{"temperature":18,"unit":"C"}""")]
    [InlineData("""[18,19]""", """{"result":"[18,19]"}""")]
    [InlineData("""18""", """{"result":"18"}""")]
    [InlineData("""sunny, {nice}""", """{"result":"sunny, {nice}"}""")]
    [InlineData("", """{"result":""}""")]
    public void Sends_a_json_object_output_as_it_is_and_anything_else_under_result(string output, string response)
    {
        var body = ToolRound.Replace("\"content\":\"18°C\"", $"\"content\":\"{output}\"", StringComparison.Ordinal);

        var (written, _) = Translate(body);

        JsonAssert.Equal(JsonAssert.Parse(response), written["contents"]![2]!["parts"]![0]!["functionResponse"]!["response"]);
    }

    [Theory]
    [InlineData("", """{}""")]
    [InlineData("{}", """{}""")]
    [InlineData("""{\"location\":{\"city\":\"Paris\"}}""", """{"location":{"city":"Paris"}}""")]
    [InlineData("""not json""", """{"arguments":"not json"}""")]
    public void Writes_function_call_args_as_an_object(string arguments, string args)
    {
        var body = ToolRound.Replace("""{\"location\":\"Paris\"}""", arguments, StringComparison.Ordinal);

        var (written, _) = Translate(body);

        JsonAssert.Equal(JsonAssert.Parse(args), written["contents"]![1]!["parts"]![0]!["functionCall"]!["args"]);
    }

    [Fact]
    public void Writes_anthropic_tool_results_under_result_or_error()
    {
        var signed = ReasoningSignature.Wrap("gemini", GeminiSignature);
        var body = $$$"""
            {"model":"gemini","max_tokens":1024,"messages":[
              {"role":"user","content":"Weather in Paris and Tokyo?"},
              {"role":"assistant","content":[
                {"type":"thinking","thinking":"","signature":"{{{signed}}}"},
                {"type":"tool_use","id":"call_a","name":"get_weather","input":{"location":"Paris"}},
                {"type":"tool_use","id":"call_b","name":"get_forecast","input":{"location":"Tokyo"}}]},
              {"role":"user","content":[
                {"type":"tool_result","tool_use_id":"call_a","content":"18°C and cloudy"},
                {"type":"tool_result","tool_use_id":"call_b","content":[{"type":"text","text":"Service down"}],"is_error":true},
                {"type":"text","text":"And tomorrow?"}]}]}
            """;
        var request = AnthropicMessagesDialect.Instance.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments());

        var written = Write(request);

        JsonAssert.Equal(
            JsonAssert.Parse($$$$"""
                [{"role":"user","parts":[{"text":"Weather in Paris and Tokyo?"}]},
                 {"role":"model","parts":[
                   {"functionCall":{"name":"get_weather","args":{"location":"Paris"}},"thoughtSignature":"{{{{GeminiSignature}}}}"},
                   {"functionCall":{"name":"get_forecast","args":{"location":"Tokyo"}}}]},
                 {"role":"user","parts":[
                   {"functionResponse":{"name":"get_weather","response":{"result":"18°C and cloudy"}}},
                   {"functionResponse":{"name":"get_forecast","response":{"error":"Service down"}}},
                   {"text":"And tomorrow?"}]}]
                """),
            written["contents"]);
    }

    [Fact]
    public void Returns_a_gemini_signature_from_openai_thinking_blocks_on_the_following_call()
    {
        var signed = ReasoningSignature.Wrap("gemini", GeminiSignature);
        var body = ToolRound.Replace("\"content\":null,", $$"""
            "content":null,"reasoning_content":"Paris, so get_weather.","thinking_blocks":[{"type":"thinking","thinking":"Paris, so get_weather.","signature":"{{signed}}"}],
            """, StringComparison.Ordinal);

        var (written, _) = Translate(body);

        JsonAssert.Equal(
            JsonAssert.Parse($$$"""
                {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"location":"Paris"}},"thoughtSignature":"{{{GeminiSignature}}}"}]}
                """),
            written["contents"]![1]);
    }

    [Fact]
    public void Returns_a_signature_on_the_text_that_followed_it()
    {
        var request = new ChatRequest
        {
            Model = "gemini",
            Messages =
            [
                ChatMessage.FromText(Role.User, "1+1?"),
                new ChatMessage(Role.Assistant, [new ReasoningPart("Simple.") { Signature = ReasoningSignature.Wrap("gemini", GeminiSignature) }, new TextPart("2"), new TextPart("!")]),
                ChatMessage.FromText(Role.User, "Thanks"),
            ],
        };

        var written = Write(request);

        JsonAssert.Equal(
            JsonAssert.Parse($$"""{"role":"model","parts":[{"text":"2","thoughtSignature":"{{GeminiSignature}}"},{"text":"!"}]}"""),
            written["contents"]![1]);
    }

    [Fact]
    public void Sends_neither_reasoning_text_nor_another_providers_signature()
    {
        var body = FixtureFiles.Bytes("anthropic/agent.request.json");
        var request = AnthropicMessagesDialect.Instance.ReadRequest(body, new ParamAdjustments());

        var written = Write(request);

        var model = written["contents"]![1]!;
        Assert.Equal("model", model["role"]!.GetValue<string>());
        JsonAssert.Equal(
            JsonAssert.Parse("""
                [{"text":"Let me run the build and read the entry point."},
                 {"functionCall":{"name":"Bash","args":{"command":"dotnet build","description":"Build the solution"}}},
                 {"functionCall":{"name":"Read","args":{"file_path":"/repo/src/Program.cs"}}}]
                """),
            model["parts"]);
        Assert.DoesNotContain("thought", written.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Writes_an_anthropic_agent_request_with_cleaned_tools_and_its_thinking_budget()
    {
        var body = FixtureFiles.Bytes("anthropic/agent.request.json");
        var request = AnthropicMessagesDialect.Instance.ReadRequest(body, new ParamAdjustments());

        var written = Write(request);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"parts":[
                  {"text":"You are Claude Code, Anthropic's official CLI for Claude."},
                  {"text":"You are an interactive CLI tool that helps users with software engineering tasks. Use the tools available to you."}]}
                """),
            written["systemInstruction"]);
        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"type":"object",
                 "properties":{
                   "command":{"type":"string","description":"The command to execute"},
                   "description":{"type":"string","description":"Clear, concise description of what this command does in 5-10 words"}},
                 "required":["command"]}
                """),
            written["tools"]![0]!["functionDeclarations"]![0]!["parameters"]);
        JsonAssert.Equal(JsonAssert.Parse("""{"functionCallingConfig":{"mode":"AUTO"}}"""), written["toolConfig"]);
        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"maxOutputTokens":32000,"stopSequences":["</answer>"],
                 "thinkingConfig":{"thinkingBudget":10000,"includeThoughts":true}}
                """),
            written["generationConfig"]);
        JsonAssert.Equal(
            JsonAssert.Parse("""
                [{"functionResponse":{"name":"Bash","response":{"error":"Program.cs(2,25): error CS1002: ; expected"}}},
                 {"functionResponse":{"name":"Read","response":{"result":"     1\tusing System;\n     2\tConsole.WriteLine(\"hi\")"}}},
                 {"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="}},
                 {"text":"Please fix it."}]
                """),
            written["contents"]![2]!["parts"]);
    }

    [Fact]
    public void Sends_images_and_pdfs_inline_and_urls_as_file_data()
    {
        var body = """
            {"model":"gemini","messages":[{"role":"user","content":[
              {"type":"text","text":"Compare."},
              {"type":"image_url","image_url":{"url":"data:image/webp;base64,UklGRhIAAABXRUJQ"}},
              {"type":"file","file":{"file_data":"data:application/pdf;base64,JVBERi0xLjQK","filename":"report.pdf"}}]}]}
            """;

        var (written, _) = Translate(body);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                [{"text":"Compare."},
                 {"inlineData":{"mimeType":"image/webp","data":"UklGRhIAAABXRUJQ"}},
                 {"inlineData":{"mimeType":"application/pdf","data":"JVBERi0xLjQK"}}]
                """),
            written["contents"]![0]!["parts"]);
    }

    [Fact]
    public void Merges_consecutive_turns_of_one_role_starting_with_the_tool_results()
    {
        var body = """
            {"model":"gemini","messages":[
              {"role":"user","content":"Weather in Paris and Oslo?"},
              {"role":"assistant","content":"Checking.","tool_calls":[
                {"id":"call_p","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}},
                {"id":"call_o","type":"function","function":{"name":"get_time","arguments":"{\"location\":\"Oslo\"}"}}]},
              {"role":"tool","tool_call_id":"call_o","content":"{\"time\":\"14:05\"}"},
              {"role":"tool","tool_call_id":"call_p","content":"{\"temperature\":18}"},
              {"role":"user","content":"Also, hurry."}]}
            """;

        var (written, _) = Translate(body);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                [{"role":"user","parts":[{"text":"Weather in Paris and Oslo?"}]},
                 {"role":"model","parts":[
                   {"text":"Checking."},
                   {"functionCall":{"name":"get_weather","args":{"location":"Paris"}}},
                   {"functionCall":{"name":"get_time","args":{"location":"Oslo"}}}]},
                 {"role":"user","parts":[
                   {"functionResponse":{"name":"get_time","response":{"time":"14:05"}}},
                   {"functionResponse":{"name":"get_weather","response":{"temperature":18}}},
                   {"text":"Also, hurry."}]}]
                """),
            written["contents"]);
    }

    [Theory]
    [InlineData("low", 1024)]
    [InlineData("medium", 4096)]
    [InlineData("high", 16384)]
    public void Maps_reasoning_effort_to_a_thinking_budget_for_gemini_2_5(string effort, int budget)
    {
        var body = Merge(MinimalRequest, $$$"""{"reasoning_effort":"{{{effort}}}"}""");

        var (written, _) = Translate(body, upstreamModel: "gemini-2.5-pro");

        JsonAssert.Equal(
            JsonAssert.Parse($$$"""{"thinkingConfig":{"thinkingBudget":{{{budget}}},"includeThoughts":true}}"""),
            written["generationConfig"]);
    }

    [Theory]
    [InlineData("minimal", "low")]
    [InlineData("low", "low")]
    [InlineData("medium", "high")]
    [InlineData("high", "high")]
    public void Maps_reasoning_effort_to_a_thinking_level_for_gemini_3(string effort, string level)
    {
        var body = Merge(MinimalRequest, $$$"""{"reasoning_effort":"{{{effort}}}"}""");

        var (written, _) = Translate(body, upstreamModel: "gemini-3-pro-preview");

        JsonAssert.Equal(
            JsonAssert.Parse($$$"""{"thinkingConfig":{"thinkingLevel":"{{{level}}}","includeThoughts":true}}"""),
            written["generationConfig"]);
    }

    [Fact]
    public void Maps_an_anthropic_thinking_budget_to_a_thinking_level_for_gemini_3()
    {
        var body = FixtureFiles.Bytes("anthropic/agent.request.json");
        var request = AnthropicMessagesDialect.Instance.ReadRequest(body, new ParamAdjustments());

        var written = Write(request, upstreamModel: "gemini-3-pro-preview");

        JsonAssert.Equal(JsonAssert.Parse("""{"thinkingLevel":"high","includeThoughts":true}"""), written["generationConfig"]!["thinkingConfig"]);
    }

    [Fact]
    public void Turns_thinking_off_with_a_zero_budget()
    {
        var body = Merge(MinimalRequest, """{"reasoning_effort":"none"}""");

        var (written, _) = Translate(body);

        JsonAssert.Equal(JsonAssert.Parse("""{"thinkingConfig":{"thinkingBudget":0}}"""), written["generationConfig"]);
    }

    [Theory]
    [InlineData(8000, 7999)]
    [InlineData(16384, 16383)]
    [InlineData(16385, 16384)]
    public void Keeps_the_thinking_budget_below_the_max_output_tokens(int maxTokens, int budget)
    {
        var body = Merge(MinimalRequest, $$$"""{"reasoning_effort":"high","max_completion_tokens":{{{maxTokens}}}}""");

        var (written, _) = Translate(body);

        Assert.Equal(budget, written["generationConfig"]!["thinkingConfig"]!["thinkingBudget"]!.GetValue<int>());
        Assert.Equal(maxTokens, written["generationConfig"]!["maxOutputTokens"]!.GetValue<int>());
    }

    [Fact]
    public void Sends_no_thinking_config_without_reasoning()
    {
        var (written, _) = Translate(ToolRound);

        JsonAssert.Equal(JsonAssert.Parse("{}"), written["generationConfig"]);
    }

    [Fact]
    public void Writes_a_json_schema_format_as_a_cleaned_response_schema()
    {
        var body = Merge(MinimalRequest, """
            {"response_format":{"type":"json_schema","json_schema":{"name":"weather","strict":true,"schema":{
              "$schema":"https://json-schema.org/draft/2020-12/schema",
              "type":"object",
              "properties":{"city":{"$ref":"#/$defs/city"},"observed":{"type":["string","null"],"format":"date-time"}},
              "required":["city","observed"],
              "additionalProperties":false,
              "$defs":{"city":{"type":"string","minLength":1}}}}}}
            """);

        var (written, _) = Translate(body);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"responseMimeType":"application/json",
                 "responseSchema":{"type":"object",
                   "properties":{"city":{"type":"string","minLength":1},"observed":{"type":"string","nullable":true,"format":"date-time"}},
                   "required":["city","observed"]}}
                """),
            written["generationConfig"]);
    }

    [Fact]
    public void Writes_a_json_object_format_as_the_json_mime_type_alone()
    {
        var body = Merge(MinimalRequest, """{"response_format":{"type":"json_object"}}""");

        var (written, _) = Translate(body);

        JsonAssert.Equal(JsonAssert.Parse("""{"responseMimeType":"application/json"}"""), written["generationConfig"]);
    }

    [Fact]
    public void Declares_a_function_without_properties_with_no_parameters()
    {
        var body = Merge(MinimalRequest, """
            {"tools":[
              {"type":"function","function":{"name":"get_time","description":"The time","parameters":{"type":"object","properties":{}}}},
              {"type":"function","function":{"name":"ping"}}]}
            """);

        var (written, _) = Translate(body);

        JsonAssert.Equal(
            JsonAssert.Parse("""[{"functionDeclarations":[{"name":"get_time","description":"The time"},{"name":"ping"}]}]"""),
            written["tools"]);
    }

    [Fact]
    public void Asks_for_google_search_natively_when_the_google_search_function_is_declared()
    {
        var body = Merge(ToolRound, """
            {"tools":[
              {"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"location":{"type":"string"}}}}},
              {"type":"function","function":{"name":"googleSearch","description":"Search the web"}}]}
            """);

        var (written, _) = Translate(body);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                [{"functionDeclarations":[{"name":"get_weather","parameters":{"type":"object","properties":{"location":{"type":"string"}}}}]},
                 {"google_search":{}}]
                """),
            written["tools"]);
    }

    [Fact]
    public void Sends_google_search_alone_without_a_tool_config()
    {
        var body = Merge(MinimalRequest, """{"tools":[{"type":"function","function":{"name":"googleSearch"}}],"tool_choice":"auto"}""");

        var (written, _) = Translate(body);

        JsonAssert.Equal(JsonAssert.Parse("""[{"google_search":{}}]"""), written["tools"]);
        Assert.False(written.AsObject().ContainsKey("toolConfig"));
    }

    [Theory]
    [InlineData("\"auto\"", """{"mode":"AUTO"}""")]
    [InlineData("\"none\"", """{"mode":"NONE"}""")]
    [InlineData("\"required\"", """{"mode":"ANY"}""")]
    [InlineData("""{"type":"function","function":{"name":"get_weather"}}""", """{"mode":"ANY","allowedFunctionNames":["get_weather"]}""")]
    public void Writes_the_tool_choice_as_the_function_calling_config(string toolChoice, string config)
    {
        var body = Merge(ToolRound, $$$"""{"tool_choice":{{{toolChoice}}}}""");

        var (written, _) = Translate(body);

        JsonAssert.Equal(JsonAssert.Parse($$$"""{"functionCallingConfig":{{{config}}}}"""), written["toolConfig"]);
    }

    [Fact]
    public void Sends_at_most_five_stop_sequences_and_reports_the_rest()
    {
        var body = Merge(MinimalRequest, """{"stop":["a","b","c","d","e","f"]}""");

        var (written, adjustments) = Translate(body);

        JsonAssert.Equal(JsonAssert.Parse("""["a","b","c","d","e"]"""), written["generationConfig"]!["stopSequences"]);
        Assert.Equal(["stop=dropped"], adjustments.Entries);
    }

    [Fact]
    public void Passes_the_safety_settings_of_a_gemini_client_on()
    {
        const string Safety = """[{"category":"HARM_CATEGORY_HATE_SPEECH","threshold":"BLOCK_LOW_AND_ABOVE"}]""";
        var body = $$$"""{"contents":[{"role":"user","parts":[{"text":"Hi"}]}],"safetySettings":{{{Safety}}}}""";
        var request = GeminiGenerateDialect.Instance.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments());

        var written = Write(request);

        JsonAssert.Equal(JsonAssert.Parse(Safety), written["safetySettings"]);
    }

    private static (JsonNode Body, ParamAdjustments Adjustments) Translate(string openAiBody, string upstreamModel = UpstreamModel) =>
        Translate(Encoding.UTF8.GetBytes(openAiBody), upstreamModel);

    /// <summary>An OpenAI chat body read by the OpenAI codec, then written for a Gemini upstream.</summary>
    private static (JsonNode Body, ParamAdjustments Adjustments) Translate(byte[] openAiBody, string upstreamModel = UpstreamModel)
    {
        var adjustments = new ParamAdjustments();
        var request = ChatCompletionsDialect.Instance.ReadRequest(openAiBody, adjustments);

        // As the gateway does: tools fitted to the upstream first (its provider has search).
        return (Write(UpstreamAdapter.For(request, GeminiGenerateDialect.Instance.Abilities, upstreamSearch: true).Request, upstreamModel), adjustments);
    }

    private static JsonNode Write(ChatRequest request, string upstreamModel = UpstreamModel)
    {
        var buffer = new ArrayBufferWriter<byte>();
        GeminiGenerateDialect.Instance.WriteRequest(request, upstreamModel, buffer);
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
}
