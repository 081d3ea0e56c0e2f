using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Gemini;

/// <summary>Client requests and upstream answers in Gemini's <c>generateContent</c> shape, read into the neutral model.</summary>
public sealed class GenerateContentMappingTests
{
    private const string ConversationRequest = "gemini/conversation.request.json";
    private const string FunctionCallResponse = "gemini/function-call.response.json";
    private const string MinimalRequest = """{"contents":[{"role":"user","parts":[{"text":"Hi"}]}]}""";
    private const string TextResponse = """
        {"candidates":[{"content":{"parts":[{"text":"Hello there."}],"role":"model"},"finishReason":"STOP","index":0}],
         "usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":3,"totalTokenCount":7},
         "modelVersion":"gemini-2.5-flash","responseId":"q1POaMmPB4yqz7IP3p6RkAk"}
        """;

    private static readonly GeminiGenerateDialect Dialect = GeminiGenerateDialect.Instance;

    [Fact]
    public void Reads_the_system_instruction_as_one_system_message_first()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        Assert.Equal(Role.System, request.Messages[0].Role);
        Assert.Equal([new TextPart("You are a weather assistant."), new TextPart("Answer briefly.")], request.Messages[0].Parts);
        Assert.Equal(string.Empty, request.Model);
    }

    [Fact]
    public void Reads_user_and_model_turns_in_order()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        Assert.Equal(
            [Role.System, Role.User, Role.Assistant, Role.User, Role.Assistant, Role.User],
            request.Messages.Select(m => m.Role));
        Assert.Equal(
            [typeof(ReasoningPart), typeof(ToolCallPart), typeof(ToolCallPart), typeof(ToolCallPart)],
            request.Messages[2].Parts.Select(p => p.GetType()));
        Assert.Equal(
            [typeof(ToolResultPart), typeof(ToolResultPart), typeof(ToolResultPart)],
            request.Messages[3].Parts.Select(p => p.GetType()));
        Assert.Equal("Thanks! Now as JSON, one entry per city.", request.LastUserText);
    }

    [Fact]
    public void Reads_inline_data_and_file_data_as_images_or_documents_by_mime_type()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var parts = request.Messages[1].Parts;
        Assert.Equal(new TextPart("What is the weather where these photos were taken? The report has the dates."), parts[0]);
        var jpeg = Assert.IsType<ImagePart>(parts[1]);
        Assert.Equal("image/jpeg", jpeg.MediaType);
        Assert.StartsWith("/9j/4AAQSkZJRg", jpeg.Base64Data, StringComparison.Ordinal);
        Assert.Null(jpeg.Url);
        Assert.Equal(
            new DocumentPart { MediaType = "application/pdf", Base64Data = "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K" },
            parts[2]);
        Assert.Equal(
            new ImagePart { MediaType = "image/png", Url = "https://generativelanguage.googleapis.com/v1beta/files/8y3kd0l2pq9x" },
            parts[3]);
        Assert.Equal(
            new DocumentPart { MediaType = "application/pdf", Url = "https://generativelanguage.googleapis.com/v1beta/files/r7w2mz1c4b0a" },
            parts[4]);
    }

    [Fact]
    public void Keeps_a_thought_part_as_reasoning_text()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var thought = Assert.IsType<ReasoningPart>(request.Messages[2].Parts[0]);
        Assert.Equal("**Locating the photos**\n\nThe first photo shows the Madison boardwalk, the second one Oslo harbour.", thought.Text);
    }

    [Fact]
    public void Joins_the_signature_of_a_call_to_the_thought_just_before_it_kept_exactly()
    {
        // Thought text and its signature travel together, as Anthropic needs them (a signed but empty thinking block is refused).
        var body = FixtureFiles.Bytes(ConversationRequest);
        var original = FixtureFiles.Json(ConversationRequest)["contents"]![1]!["parts"]![1]!["thoughtSignature"]!.GetValue<string>();

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var signed = Assert.IsType<ReasoningPart>(request.Messages[2].Parts[0]);
        Assert.StartsWith("**Locating the photos**", signed.Text, StringComparison.Ordinal);
        Assert.True(ReasoningSignature.TryUnwrap(signed.Signature, out var source, out var unwrapped));
        Assert.Equal("gemini", source);
        Assert.Equal(original, unwrapped);
        Assert.Equal("get_weather", Assert.IsType<ToolCallPart>(request.Messages[2].Parts[1]).Name);
    }

    [Fact]
    public void Carries_the_signature_of_a_text_part_before_the_text()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);
        var original = FixtureFiles.Json(ConversationRequest)["contents"]![3]!["parts"]![0]!["thoughtSignature"]!.GetValue<string>();

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var parts = request.Messages[4].Parts;
        Assert.Equal(2, parts.Count);
        Assert.True(ReasoningSignature.TryUnwrap(Assert.IsType<ReasoningPart>(parts[0]).Signature, out _, out var unwrapped));
        Assert.Equal(original, unwrapped);
        Assert.Equal(new TextPart("Madison is sunny at 21°C; Oslo has snow at 4°C, and it is 14:05 there."), parts[1]);
    }

    [Fact]
    public void Keeps_the_signature_on_a_signed_thought_part_exactly()
    {
        var body = """
            {"contents":[
              {"role":"user","parts":[{"text":"Hi"}]},
              {"role":"model","parts":[{"text":"Greeting back.","thought":true,"thoughtSignature":"Cp8BAdHtim+/x=="},{"text":"Hello!"}]},
              {"role":"user","parts":[{"text":"Bye"}]}]}
            """;

        var request = Read(body);

        var thought = Assert.IsType<ReasoningPart>(request.Messages[1].Parts[0]);
        Assert.Equal("Greeting back.", thought.Text);
        Assert.True(ReasoningSignature.TryUnwrap(thought.Signature, out var source, out var unwrapped));
        Assert.Equal("gemini", source);
        Assert.Equal("Cp8BAdHtim+/x==", unwrapped);
        Assert.Equal([thought, new TextPart("Hello!")], request.Messages[1].Parts);
    }

    [Fact]
    public void Keeps_a_switchyard_signature_the_gateway_handed_out_earlier_as_it_is()
    {
        var anthropic = ReasoningSignature.Wrap(ReasoningSignature.BareSource, "EqQBCkgIBxABGAIiQL3n");
        var body = $$$$"""
            {"contents":[
              {"role":"user","parts":[{"text":"Hi"}]},
              {"role":"model","parts":[{"functionCall":{"name":"lookup","args":{}},"thoughtSignature":"{{{{anthropic}}}}"}]},
              {"role":"user","parts":[{"functionResponse":{"name":"lookup","response":{"ok":true}}}]}]}
            """;

        var request = Read(body);

        Assert.Equal(anthropic, Assert.IsType<ReasoningPart>(request.Messages[1].Parts[0]).Signature);
    }

    [Fact]
    public void Pairs_the_nth_call_of_a_name_with_the_nth_response_of_that_name()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var calls = request.Messages[2].Parts.OfType<ToolCallPart>().ToList();
        var results = request.Messages[3].Parts.OfType<ToolResultPart>().ToList();
        Assert.Equal(["get_weather", "get_weather", "get_time"], calls.Select(c => c.Name));
        Assert.Equal(3, calls.Select(c => c.Id).Distinct().Count());
        Assert.Equal([calls[0].Id, calls[2].Id, calls[1].Id], results.Select(r => r.ToolCallId));
        Assert.Equal(["get_weather", "get_time", "get_weather"], results.Select(r => r.Name));
        Assert.All(calls, c => Assert.Matches("^[a-zA-Z0-9_-]+$", c.Id));
    }

    [Fact]
    public void Gives_the_same_conversation_the_same_ids_every_time()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);

        var first = Dialect.ReadRequest(body, new ParamAdjustments());
        var second = Dialect.ReadRequest(body, new ParamAdjustments());

        Assert.Equal(Ids(first), Ids(second));
        Assert.Equal(6, Ids(first).Count);
    }

    [Fact]
    public void Keeps_the_ids_the_client_sent()
    {
        var body = """
            {"contents":[
              {"role":"user","parts":[{"text":"Weather?"}]},
              {"role":"model","parts":[{"functionCall":{"id":"call_8VcQmL3pN2xR7tY1","name":"get_weather","args":{"location":"Paris"}}}]},
              {"role":"user","parts":[{"functionResponse":{"id":"call_8VcQmL3pN2xR7tY1","name":"get_weather","response":{"temperature":18}}}]}]}
            """;

        var request = Read(body);

        Assert.Equal("call_8VcQmL3pN2xR7tY1", Assert.IsType<ToolCallPart>(request.Messages[1].Parts[0]).Id);
        Assert.Equal("call_8VcQmL3pN2xR7tY1", Assert.IsType<ToolResultPart>(request.Messages[2].Parts[0]).ToolCallId);
    }

    [Fact]
    public void Reads_function_calls_with_their_args_and_responses_with_their_json()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var calls = request.Messages[2].Parts.OfType<ToolCallPart>().ToList();
        JsonAssert.Equal(JsonAssert.Parse("""{"location":"Madison, WI","unit":"celsius"}"""), JsonAssert.Parse(calls[0].ArgumentsJson));
        JsonAssert.Equal(JsonAssert.Parse("""{"timezone":"Europe/Oslo"}"""), JsonAssert.Parse(calls[2].ArgumentsJson));
        var snow = request.Messages[3].Parts.OfType<ToolResultPart>().Last();
        Assert.False(snow.IsError);
        JsonAssert.Equal(JsonAssert.Parse("""{"temperature":4,"condition":"snow"}"""), JsonAssert.Parse(Assert.IsType<TextPart>(Assert.Single(snow.Content)).Text));
    }

    [Fact]
    public void Reads_a_call_without_args_as_an_empty_object()
    {
        var body = """{"contents":[{"role":"user","parts":[{"text":"Now?"}]},{"role":"model","parts":[{"functionCall":{"name":"get_time"}}]}]}""";

        var request = Read(body);

        Assert.Equal("{}", Assert.IsType<ToolCallPart>(request.Messages[1].Parts[0]).ArgumentsJson);
    }

    [Fact]
    public void Reads_function_declarations_as_tools_preferring_the_json_schema_form()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var tools = request.Tools!;
        Assert.Equal(["get_weather", "get_time"], tools.Select(t => t.Name));
        Assert.Equal("Get the current weather in a given location", tools[0].Description);
        JsonAssert.Equal(
            FixtureFiles.Json(ConversationRequest)["tools"]![0]!["functionDeclarations"]![1]!["parametersJsonSchema"],
            Node(tools[1].Parameters));
    }

    [Fact]
    public void Reads_openapi_style_parameters_as_the_json_schema_other_upstreams_accept()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"type":"object",
                 "properties":{
                   "location":{"type":"string","description":"The city and country, e.g. Paris, France"},
                   "unit":{"type":["string","null"],"enum":["celsius","fahrenheit"]}},
                 "required":["location"]}
                """),
            Node(request.Tools![0].Parameters));
    }

    [Fact]
    public void Reads_the_google_search_tool_as_a_hosted_web_search()
    {
        var body = Merge(MinimalRequest, """{"tools":[{"googleSearch":{}},{"functionDeclarations":[{"name":"lookup","description":"Look it up"}]},{"code_execution":{}}]}""");

        var request = Read(body);

        Assert.Equal(["lookup"], request.Tools!.Select(t => t.Name));
        Assert.Equal([HostedToolKind.WebSearch, HostedToolKind.CodeExecution], request.HostedTools!.Select(t => t.Kind));
        Assert.Equal(["googleSearch", "code_execution"], request.HostedTools!.Select(t => t.ClientType));
        Assert.Equal(["tools[0]", "tools[2]"], request.HostedTools!.Select(t => t.Param));
    }

    [Theory]
    [InlineData("""{"mode":"AUTO"}""", ToolChoiceMode.Auto, null)]
    [InlineData("""{"mode":"NONE"}""", ToolChoiceMode.None, null)]
    [InlineData("""{"mode":"ANY"}""", ToolChoiceMode.Required, null)]
    [InlineData("""{"mode":"ANY","allowedFunctionNames":["get_time"]}""", ToolChoiceMode.Function, "get_time")]
    [InlineData("""{"mode":"VALIDATED","allowedFunctionNames":["get_time"]}""", ToolChoiceMode.Function, "get_time")]
    [InlineData("""{"mode":"MODE_UNSPECIFIED"}""", ToolChoiceMode.Auto, null)]
    public void Reads_the_function_calling_mode_as_a_tool_choice(string config, ToolChoiceMode mode, string? name)
    {
        var body = Merge(MinimalRequest, $$$"""{"toolConfig":{"functionCallingConfig":{{{config}}}}}""");

        var request = Read(body);

        Assert.Equal(mode, request.ToolChoice!.Mode);
        Assert.Equal(name, request.ToolChoice.FunctionName);
    }

    [Fact]
    public void Reads_no_tool_choice_without_a_tool_config()
    {
        var request = Read(MinimalRequest);

        Assert.Null(request.ToolChoice);
        Assert.Null(request.Tools);
        Assert.Null(request.Reasoning);
        Assert.Null(request.ResponseFormat);
        Assert.Null(request.Extensions);
    }

    [Fact]
    public void Reads_the_generation_config()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        Assert.Equal(0.4, request.Temperature);
        Assert.Equal(0.95, request.TopP);
        Assert.Equal(40, request.TopK);
        Assert.Equal(8192, request.MaxOutputTokens);
        Assert.Equal(["\n\nEND"], request.StopSequences);
    }

    [Fact]
    public void Reports_more_than_one_candidate_as_an_adjustment()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);
        var adjustments = new ParamAdjustments();

        var request = Dialect.ReadRequest(body, adjustments);

        Assert.Equal(["candidateCount=dropped"], adjustments.Entries);
        Assert.Same(adjustments, request.Adjustments);
    }

    [Fact]
    public void Reports_nothing_for_a_single_candidate()
    {
        var body = Merge(MinimalRequest, """{"generationConfig":{"candidateCount":1,"temperature":1}}""");
        var adjustments = new ParamAdjustments();

        Dialect.ReadRequest(Encoding.UTF8.GetBytes(body), adjustments);

        Assert.True(adjustments.IsEmpty);
    }

    [Fact]
    public void Refuses_more_than_one_candidate_when_strict_params_is_set()
    {
        var body = Merge(MinimalRequest, """{"strict_params":true,"generationConfig":{"candidateCount":2}}""");

        var exception = Assert.Throws<GatewayException>(() => Read(body));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal("candidateCount", exception.Error.Param);
    }

    [Fact]
    public void Clamps_a_temperature_above_two_and_reports_it()
    {
        var body = Merge(MinimalRequest, """{"generationConfig":{"temperature":3.5,"topP":1.5}}""");
        var adjustments = new ParamAdjustments();

        var request = Dialect.ReadRequest(Encoding.UTF8.GetBytes(body), adjustments);

        Assert.Equal(2, request.Temperature);
        Assert.Equal(1, request.TopP);
        Assert.Equal(["generationConfig.temperature=clamped:3.5->2", "generationConfig.topP=clamped:1.5->1"], adjustments.Entries);
    }

    [Fact]
    public void Reads_a_response_schema_as_json_schema_output()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var format = request.ResponseFormat!;
        Assert.Equal(ResponseFormatKind.JsonSchema, format.Kind);
        Assert.Equal("response", format.Name);
        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"type":"array",
                 "items":{"type":"object",
                   "properties":{
                     "city":{"type":"string"},
                     "temperature_c":{"type":"number"},
                     "condition":{"type":["string","null"]}},
                   "required":["city","temperature_c"],
                   "propertyOrdering":["city","temperature_c","condition"]}}
                """),
            Node(format.Schema));
    }

    [Fact]
    public void Prefers_the_response_json_schema_as_it_is()
    {
        const string Schema = """{"type":"object","properties":{"city":{"type":"string","format":"uri"}},"additionalProperties":false}""";
        var body = Merge(MinimalRequest, $$$"""{"generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"STRING"},"responseJsonSchema":{{{Schema}}}}}""");

        var request = Read(body);

        Assert.Equal(ResponseFormatKind.JsonSchema, request.ResponseFormat!.Kind);
        JsonAssert.Equal(JsonAssert.Parse(Schema), Node(request.ResponseFormat.Schema));
    }

    [Theory]
    [InlineData("""{"responseMimeType":"application/json"}""", ResponseFormatKind.JsonObject)]
    [InlineData("""{"responseMimeType":"text/plain"}""", null)]
    [InlineData("""{"responseSchema":{"type":"OBJECT"}}""", null)]
    public void Reads_json_output_only_with_the_json_mime_type(string config, ResponseFormatKind? kind)
    {
        var body = Merge(MinimalRequest, $$$"""{"generationConfig":{{{config}}}}""");

        var request = Read(body);

        Assert.Equal(kind, request.ResponseFormat?.Kind);
    }

    [Theory]
    [InlineData("""{"thinkingBudget":1024}""", "low", 1024)]
    [InlineData("""{"thinkingBudget":2048,"includeThoughts":true}""", "medium", 2048)]
    [InlineData("""{"thinkingBudget":24576}""", "high", 24576)]
    [InlineData("""{"thinkingLevel":"low"}""", "low", null)]
    [InlineData("""{"thinkingLevel":"HIGH"}""", "high", null)]
    [InlineData("""{"thinkingBudget":-1}""", "medium", null)]
    public void Reads_a_thinking_budget_or_level_as_reasoning(string config, string effort, int? budget)
    {
        var body = Merge(MinimalRequest, $$$"""{"generationConfig":{"thinkingConfig":{{{config}}}}}""");

        var request = Read(body);

        Assert.Equal(new ReasoningOptions { Effort = effort, BudgetTokens = budget }, request.Reasoning);
    }

    [Fact]
    public void Reads_a_zero_thinking_budget_as_thinking_turned_off()
    {
        var body = Merge(MinimalRequest, """{"generationConfig":{"thinkingConfig":{"thinkingBudget":0}}}""");

        var request = Read(body);

        Assert.True(request.Reasoning!.Disabled);
        Assert.Null(request.Reasoning.BudgetTokens);
    }

    [Fact]
    public void Keeps_the_safety_settings_for_a_gemini_upstream()
    {
        var body = FixtureFiles.Bytes(ConversationRequest);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        var extension = Assert.Single(request.Extensions!);
        Assert.Equal("gemini.safetySettings", extension.Key);
        JsonAssert.Equal(FixtureFiles.Json(ConversationRequest)["safetySettings"], Node(extension.Value));
    }

    [Theory]
    [InlineData("""{"contents":[]}""", "contents")]
    [InlineData("""{"systemInstruction":{"parts":[{"text":"Be brief."}]}}""", "contents")]
    [InlineData("""{"contents":[{"role":"assistant","parts":[{"text":"Hi"}]}]}""", "contents[0].role")]
    [InlineData("""{"contents":[null]}""", "contents[0]")]
    [InlineData("""{"contents":[{"role":"model","parts":[{"functionCall":{"args":{}}}]}]}""", "contents.parts.functionCall.name")]
    [InlineData("""{"contents":[{"role":"user","parts":[{"functionResponse":{"response":{}}}]}]}""", "contents.parts.functionResponse.name")]
    [InlineData("""{"contents":[{"role":"user","parts":[{"text":"Hi"}]}],"tools":[{"functionDeclarations":[{"description":"nameless"}]}]}""", "tools.functionDeclarations.name")]
    public void Rejects_a_malformed_request_naming_the_field(string body, string param)
    {
        var exception = Assert.Throws<GatewayException>(() => Read(body));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal(param, exception.Error.Param);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("""{"contents":"Hi"}""")]
    public void Rejects_a_body_that_is_not_a_request_object(string body)
    {
        var exception = Assert.Throws<GatewayException>(() => Read(body));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal(400, exception.Error.Status);
    }

    [Fact]
    public void Reads_the_answer_parts_in_order_with_the_call_signature_before_its_call()
    {
        var body = FixtureFiles.Bytes(FunctionCallResponse);
        var original = FixtureFiles.Json(FunctionCallResponse)["candidates"]![0]!["content"]!["parts"]![2]!["thoughtSignature"]!.GetValue<string>();

        var response = Dialect.ReadResponse(body);

        Assert.Equal(
            [typeof(ReasoningPart), typeof(TextPart), typeof(ReasoningPart), typeof(ToolCallPart), typeof(ToolCallPart)],
            response.Parts.Select(p => p.GetType()));
        Assert.Equal(
            new ReasoningPart("**Planning the lookups**\n\nI need the weather for both Paris and Tokyo, so I'll make two calls."),
            response.Parts[0]);
        Assert.Equal(new TextPart("I'll look both up."), response.Parts[1]);
        var signed = Assert.IsType<ReasoningPart>(response.Parts[2]);
        Assert.Equal(string.Empty, signed.Text);
        Assert.True(ReasoningSignature.TryUnwrap(signed.Signature, out var source, out var unwrapped));
        Assert.Equal("gemini", source);
        Assert.Equal(original, unwrapped);
        var paris = Assert.IsType<ToolCallPart>(response.Parts[3]);
        Assert.Equal("get_weather", paris.Name);
        JsonAssert.Equal(JsonAssert.Parse("""{"location":"Paris, France"}"""), JsonAssert.Parse(paris.ArgumentsJson));
        Assert.Equal("2fHOaMfUKoyqz7IP4pyz8Qg", response.Id);
        Assert.Equal("gemini-2.5-pro", response.Model);
    }

    [Fact]
    public void Synthesizes_call_ids_unique_within_and_across_answers_and_stable_on_replay()
    {
        var body = FixtureFiles.Bytes(FunctionCallResponse);
        var sameCallsTwice = JsonAssert.Parse(body);
        sameCallsTwice["candidates"]![0]!["content"]!["parts"]![3]!["functionCall"]!["args"] = JsonNode.Parse("""{"location":"Paris, France"}""");
        var nextRound = JsonAssert.Parse(body);
        nextRound["responseId"] = "8PHOaLjBGYyqz7IPxq2T0Ak";

        var ids = CallIds(Dialect.ReadResponse(body));
        var replayed = CallIds(Dialect.ReadResponse(body));
        var twice = CallIds(Dialect.ReadResponse(Encoding.UTF8.GetBytes(sameCallsTwice.ToJsonString())));
        var next = CallIds(Dialect.ReadResponse(Encoding.UTF8.GetBytes(nextRound.ToJsonString())));

        Assert.Equal(ids, replayed);
        Assert.Equal(2, ids.Distinct().Count());
        Assert.Equal(2, twice.Distinct().Count());
        Assert.Empty(ids.Intersect(next));
        Assert.All(ids.Concat(twice).Concat(next), id => Assert.Matches("^call_[0-9a-f]{24}$", id));
    }

    [Fact]
    public void Keeps_a_call_id_gemini_gave()
    {
        var body = """
            {"candidates":[{"content":{"parts":[{"functionCall":{"id":"fc_7b1e0c2a","name":"get_time","args":{"timezone":"UTC"}}}],"role":"model"},"finishReason":"STOP","index":0}],
             "modelVersion":"gemini-3-pro-preview","responseId":"r1"}
            """u8.ToArray();

        var response = Dialect.ReadResponse(body);

        Assert.Equal("fc_7b1e0c2a", Assert.IsType<ToolCallPart>(Assert.Single(response.Parts)).Id);
    }

    [Fact]
    public void Reads_a_signature_on_the_last_text_part_as_signed_reasoning_before_it()
    {
        var body = """
            {"candidates":[{"content":{"parts":[{"text":"1+1 equals 2."},{"text":"","thoughtSignature":"EjQKMgEMOdbHz9+/"}],"role":"model"},"finishReason":"STOP","index":0}],
             "modelVersion":"gemini-3-flash-preview","responseId":"r2"}
            """u8.ToArray();

        var response = Dialect.ReadResponse(body);

        Assert.Equal(3, response.Parts.Count);
        Assert.Equal(new TextPart("1+1 equals 2."), response.Parts[0]);
        Assert.True(ReasoningSignature.TryUnwrap(Assert.IsType<ReasoningPart>(response.Parts[1]).Signature, out _, out var unwrapped));
        Assert.Equal("EjQKMgEMOdbHz9+/", unwrapped);
    }

    [Theory]
    [InlineData("STOP", false, FinishReason.Stop)]
    [InlineData("STOP", true, FinishReason.ToolCalls)]
    [InlineData("MAX_TOKENS", false, FinishReason.Length)]
    [InlineData("MAX_TOKENS", true, FinishReason.Length)]
    [InlineData("SAFETY", false, FinishReason.ContentFilter)]
    [InlineData("RECITATION", false, FinishReason.ContentFilter)]
    [InlineData("PROHIBITED_CONTENT", false, FinishReason.ContentFilter)]
    [InlineData("OTHER", false, FinishReason.Stop)]
    public void Maps_the_finish_reason(string finishReason, bool withCall, FinishReason expected)
    {
        var part = withCall ? """{"functionCall":{"name":"get_time","args":{}}}""" : """{"text":"Partial"}""";
        var body = Encoding.UTF8.GetBytes($$"""{"candidates":[{"content":{"parts":[{{part}}],"role":"model"},"finishReason":"{{finishReason}}","index":0}],"responseId":"r3"}""");

        var response = Dialect.ReadResponse(body);

        Assert.Equal(expected, response.FinishReason);
    }

    [Fact]
    public void Reads_a_function_call_answer_as_finished_for_tool_calls()
    {
        var body = FixtureFiles.Bytes(FunctionCallResponse);

        var response = Dialect.ReadResponse(body);

        Assert.Equal(FinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public void Reads_usage_into_disjoint_buckets()
    {
        var body = FixtureFiles.Bytes(FunctionCallResponse);

        var response = Dialect.ReadResponse(body);

        // promptTokenCount 1290 includes the 1024 cached; candidatesTokenCount 42 excludes the 218 thoughts.
        Assert.Equal(new Usage { InputTokens = 266, CacheReadTokens = 1024, OutputTokens = 42, ReasoningTokens = 218 }, response.Usage);
        Assert.Equal(1550, response.Usage.TotalTokens);
    }

    [Fact]
    public void Reads_a_plain_text_answer()
    {
        var response = Dialect.ReadResponse(Encoding.UTF8.GetBytes(TextResponse));

        Assert.Equal([new TextPart("Hello there.")], response.Parts);
        Assert.Equal(FinishReason.Stop, response.FinishReason);
        Assert.Equal(new Usage { InputTokens = 4, OutputTokens = 3 }, response.Usage);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("<html>502</html>")]
    [InlineData("""{"candidates":{}}""")]
    public void Reads_a_malformed_answer_as_an_upstream_failure(string body)
    {
        var exception = Assert.Throws<GatewayException>(() => Dialect.ReadResponse(Encoding.UTF8.GetBytes(body)));

        Assert.Equal(GatewayErrorKind.UpstreamFailed, exception.Error.Kind);
        Assert.Equal("upstream_error", exception.Error.Code);
    }

    private static ChatRequest Read(string body) => Dialect.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments());

    private static List<string> Ids(ChatRequest request) =>
        request.Messages.SelectMany(m => m.Parts).Select(p => p switch
        {
            ToolCallPart call => call.Id,
            ToolResultPart result => result.ToolCallId,
            _ => null,
        }).OfType<string>().ToList();

    private static List<string> CallIds(ChatResponse response) => response.Parts.OfType<ToolCallPart>().Select(c => c.Id).ToList();

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
