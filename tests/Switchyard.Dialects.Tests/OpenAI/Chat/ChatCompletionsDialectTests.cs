using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.OpenAI.Chat;

public sealed class ChatCompletionsDialectTests
{
    private const string RequestFixture = "openai-chat/tools-and-images.request.json";
    private const string ResponseFixture = "openai-chat/tool-calls.response.json";
    private const string MinimalRequest = """{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}""";

    private static readonly ChatCompletionsDialect Dialect = ChatCompletionsDialect.Instance;

    [Fact]
    public void Round_trips_a_request_through_the_neutral_model()
    {
        var body = FixtureFiles.Bytes(RequestFixture);
        var adjustments = new ParamAdjustments();

        var request = Dialect.ReadRequest(body, adjustments);
        var written = WriteRequest(request, "gpt-4o");

        // Absent and null are the same on this wire (the assistant's "content": null is omitted).
        JsonAssert.Equal(JsonAssert.WithoutNulls(JsonAssert.Parse(body)), written);
        Assert.True(adjustments.IsEmpty);
    }

    [Fact]
    public void Reads_images_tool_calls_and_tool_results_into_neutral_parts()
    {
        var body = FixtureFiles.Bytes(RequestFixture);

        var request = Dialect.ReadRequest(body, new ParamAdjustments());

        Assert.Equal("gpt-4o", request.Model);
        Assert.Equal([Role.System, Role.User, Role.Assistant, Role.Tool, Role.Tool], request.Messages.Select(m => m.Role));
        var user = request.Messages[1];
        Assert.Equal("alice", user.Name);
        Assert.Equal(new TextPart("What is the weather like where these two photos were taken?"), user.Parts[0]);
        var inline = Assert.IsType<ImagePart>(user.Parts[1]);
        Assert.Equal("image/png", inline.MediaType);
        Assert.StartsWith("iVBORw0KGgo", inline.Base64Data, StringComparison.Ordinal);
        Assert.Null(inline.Url);
        Assert.Equal("low", inline.Detail);
        var linked = Assert.IsType<ImagePart>(user.Parts[2]);
        Assert.StartsWith("https://upload.wikimedia.org/", linked.Url, StringComparison.Ordinal);
        Assert.Null(linked.Base64Data);
        Assert.Equal("high", linked.Detail);
        Assert.Equal(
            [
                new ToolCallPart("call_Xk2mZ8GJbQk5r1XrGFhYHt7B", "get_weather", """{"location":"Madison, WI","unit":"celsius"}"""),
                new ToolCallPart("call_9fTq1LwP0sDn3VbY6cHjKe2M", "get_weather", """{"location":"Oslo, Norway","unit":"celsius"}"""),
            ],
            request.Messages[2].Parts);
        var result = Assert.IsType<ToolResultPart>(Assert.Single(request.Messages[3].Parts));
        Assert.Equal("call_Xk2mZ8GJbQk5r1XrGFhYHt7B", result.ToolCallId);
        Assert.Equal([new TextPart("""{"temperature":21,"condition":"sunny"}""")], result.Content);
        var tool = Assert.Single(request.Tools!);
        Assert.Equal("get_weather", tool.Name);
        Assert.True(tool.Strict);
        Assert.Equal(ToolChoice.Function("get_weather"), request.ToolChoice);
        Assert.Equal(ResponseFormatKind.JsonSchema, request.ResponseFormat!.Kind);
        Assert.Equal("weather_report", request.ResponseFormat.Name);
        Assert.Equal(["\n\nEND", "###"], request.StopSequences!);
        Assert.Equal(800, request.MaxOutputTokens);
        Assert.True(request.Stream);
        Assert.True(request.StreamIncludeUsage);
        Assert.Equal("weather-assistant-v1", request.PromptCacheKey);
    }

    [Theory]
    [InlineData("""{"max_tokens":300}""", """{"max_completion_tokens":300}""")]
    [InlineData("""{"max_tokens":300,"max_completion_tokens":200}""", """{"max_completion_tokens":200}""")]
    [InlineData("""{"stream":true}""", """{"stream":true,"stream_options":{"include_usage":true}}""")]
    [InlineData("""{"stream":true,"stream_options":{"include_usage":false}}""", """{"stream":true,"stream_options":{"include_usage":true}}""")]
    [InlineData("""{"stream":false}""", """{}""")]
    [InlineData("""{"stop":"END"}""", """{"stop":["END"]}""")]
    [InlineData("""{"strict_params":true}""", """{}""")]
    [InlineData("""{"tool_choice":"required"}""", """{"tool_choice":"required"}""")]
    [InlineData("""{"reasoning_effort":"high"}""", """{"reasoning_effort":"high"}""")]
    [InlineData("""{"response_format":{"type":"json_object"}}""", """{"response_format":{"type":"json_object"}}""")]
    [InlineData("""{"logit_bias":{"50256":-100},"top_logprobs":2}""", """{"logit_bias":{"50256":-100},"top_logprobs":2}""")]
    public void Rewrites_only_what_legitimately_differs_on_the_way_upstream(string extra, string expectedExtra)
    {
        var body = Merge(MinimalRequest, extra);

        var written = WriteRequest(Dialect.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments()), "gpt-4o");

        JsonAssert.Equal(JsonAssert.Parse(Merge(MinimalRequest, expectedExtra)), written);
    }

    [Fact]
    public void Writes_the_upstream_model_name_not_the_clients()
    {
        var request = Dialect.ReadRequest(Encoding.UTF8.GetBytes(MinimalRequest.Replace("gpt-4o", "fast", StringComparison.Ordinal)), new ParamAdjustments());

        var written = WriteRequest(request, "gpt-4o-mini-2024-07-18");

        Assert.Equal("fast", request.Model);
        Assert.Equal("gpt-4o-mini-2024-07-18", written["model"]!.GetValue<string>());
    }

    [Fact]
    public void Reads_metadata_for_echoing_back()
    {
        var body = Merge(MinimalRequest, """{"metadata":{"session":"s-1"}}""");

        var request = Dialect.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments());

        Assert.Equal("s-1", request.Metadata!.Value.GetProperty("session").GetString());
    }

    [Fact]
    public void Rejects_malformed_json_as_an_invalid_request()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}""");

        var exception = Assert.Throws<GatewayException>(() => Dialect.ReadRequest(body, new ParamAdjustments()));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal(400, exception.Error.Status);
        Assert.Equal("The request body is not valid JSON.", exception.Error.Message);
        Assert.Null(exception.Error.Param);
    }

    [Theory]
    [InlineData("""{"temperature":"hot"}""", "temperature")]
    [InlineData("""{"stream":"yes"}""", "stream")]
    [InlineData("""{"max_tokens":1.5}""", "max_tokens")]
    [InlineData("""{"messages":{"role":"user"}}""", "messages")]
    [InlineData("""{"messages":[{"role":"user","content":5}]}""", "messages[0].content")]
    [InlineData("""{"messages":[{"role":7,"content":"Hi"}]}""", "messages[0].role")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"f","strict":"yes"}}]}""", "tools[0].function.strict")]
    public void Names_the_parameter_that_has_the_wrong_type(string extra, string param)
    {
        var body = Encoding.UTF8.GetBytes(Merge(MinimalRequest, extra));

        var exception = Assert.Throws<GatewayException>(() => Dialect.ReadRequest(body, new ParamAdjustments()));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal(param, exception.Error.Param);
        Assert.Contains(param, exception.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"Hi"}]}""", "model")]
    [InlineData("""{"model":"","messages":[{"role":"user","content":"Hi"}]}""", "model")]
    [InlineData("""{"model":"gpt-4o"}""", "messages")]
    [InlineData("""{"model":"gpt-4o","messages":[]}""", "messages")]
    [InlineData("""{"model":"gpt-4o","messages":[{"content":"Hi"}]}""", "messages[0].role")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"tool","content":"42"}]}""", "messages[0].tool_call_id")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]}""", "messages[0].content[0].image_url.url")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"tool_choice":"sometimes"}""", "tool_choice")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"stop":[1]}""", "stop")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"stop":[null]}""", "stop")]
    [InlineData("""{"model":"gpt-4o","messages":[null]}""", "messages[0]")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"},{"role":"user","content":[{"type":"text","text":"a"},null]}]}""", "messages[1].content[1]")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"assistant","tool_calls":[null]}]}""", "messages[0].tool_calls[0].function.name")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"tools":[null]}""", "tools")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"function","function":{}}]}""", "tools")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"input_video"}]}]}""", "messages[0].content[0].type")]
    public void Rejects_a_request_missing_what_it_needs(string body, string param)
    {
        var bytes = Encoding.UTF8.GetBytes(body);

        var exception = Assert.Throws<GatewayException>(() => Dialect.ReadRequest(bytes, new ParamAdjustments()));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal(param, exception.Error.Param);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"model\"")]
    [InlineData("")]
    public void Rejects_a_body_that_is_not_an_object(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);

        var exception = Assert.Throws<GatewayException>(() => Dialect.ReadRequest(bytes, new ParamAdjustments()));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Null(exception.Error.Param);
    }

    [Fact]
    public void Answers_a_malformed_json_schema_with_unprocessable()
    {
        var body = Merge(MinimalRequest, """{"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":"object"}}}""");

        var exception = Assert.Throws<GatewayException>(() => Dialect.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments()));

        Assert.Equal(GatewayErrorKind.Unprocessable, exception.Error.Kind);
        Assert.Equal(422, exception.Error.Status);
        Assert.Equal("response_format.json_schema.schema", exception.Error.Param);
    }

    [Theory]
    [InlineData("temperature", "3.5", 2.0, "temperature=clamped:3.5->2")]
    [InlineData("temperature", "-1", 0.0, "temperature=clamped:-1->0")]
    [InlineData("top_p", "1.2", 1.0, "top_p=clamped:1.2->1")]
    [InlineData("presence_penalty", "-2.5", -2.0, "presence_penalty=clamped:-2.5->-2")]
    [InlineData("frequency_penalty", "9", 2.0, "frequency_penalty=clamped:9->2")]
    [InlineData("max_completion_tokens", "0", 1.0, "max_completion_tokens=clamped:0->1")]
    [InlineData("max_tokens", "-5", 1.0, "max_tokens=clamped:-5->1")]
    public void Clamps_an_out_of_range_parameter_and_reports_it(string param, string value, double clamped, string entry)
    {
        var body = Merge(MinimalRequest, $$"""{"{{param}}":{{value}}}""");
        var adjustments = new ParamAdjustments();

        var request = Dialect.ReadRequest(Encoding.UTF8.GetBytes(body), adjustments);

        Assert.Equal([entry], adjustments.Entries);
        Assert.Equal(entry, adjustments.ToString());
        var actual = param switch
        {
            "temperature" => request.Temperature,
            "top_p" => request.TopP,
            "presence_penalty" => request.PresencePenalty,
            "frequency_penalty" => request.FrequencyPenalty,
            _ => request.MaxOutputTokens,
        };
        Assert.Equal(clamped, actual);
    }

    [Fact]
    public void Reports_every_clamped_parameter_in_one_header_value()
    {
        var body = Merge(MinimalRequest, """{"temperature":2.5,"top_p":7}""");
        var adjustments = new ParamAdjustments();

        Dialect.ReadRequest(Encoding.UTF8.GetBytes(body), adjustments);

        Assert.Equal("temperature=clamped:2.5->2, top_p=clamped:7->1", adjustments.ToString());
    }

    [Fact]
    public void Leaves_in_range_parameters_alone()
    {
        var body = Merge(MinimalRequest, """{"temperature":2,"top_p":0,"presence_penalty":-2,"max_completion_tokens":1}""");
        var adjustments = new ParamAdjustments();

        var request = Dialect.ReadRequest(Encoding.UTF8.GetBytes(body), adjustments);

        Assert.True(adjustments.IsEmpty);
        Assert.Equal(string.Empty, adjustments.ToString());
        Assert.Equal(2, request.Temperature);
        Assert.Equal(1, request.MaxOutputTokens);
    }

    [Theory]
    [InlineData("temperature", "3.5")]
    [InlineData("top_p", "1.2")]
    [InlineData("max_tokens", "0")]
    public void Rejects_an_out_of_range_parameter_when_strict_params_is_set(string param, string value)
    {
        var body = Merge(MinimalRequest, $$"""{"strict_params":true,"{{param}}":{{value}}}""");
        var adjustments = new ParamAdjustments();

        var exception = Assert.Throws<GatewayException>(() => Dialect.ReadRequest(Encoding.UTF8.GetBytes(body), adjustments));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal(param, exception.Error.Param);
        Assert.Contains(param, exception.Error.Message, StringComparison.Ordinal);
        Assert.True(adjustments.IsEmpty);
    }

    [Fact]
    public void Accepts_in_range_parameters_when_strict_params_is_set()
    {
        var body = Merge(MinimalRequest, """{"strict_params":true,"temperature":1}""");
        var adjustments = new ParamAdjustments();

        var request = Dialect.ReadRequest(Encoding.UTF8.GetBytes(body), adjustments);

        Assert.True(adjustments.Strict);
        Assert.Equal(1, request.Temperature);
    }

    [Fact]
    public void Round_trips_a_response_with_parallel_tool_calls_and_usage()
    {
        var body = FixtureFiles.Bytes(ResponseFixture);

        var response = Dialect.ReadResponse(body);
        var written = WriteResponse(response);

        var expected = JsonAssert.Parse(body);
        // Fields the neutral model does not carry: OpenAI's bookkeeping and audio/prediction counts.
        var root = expected.AsObject();
        root.Remove("service_tier");
        root.Remove("system_fingerprint");
        root["choices"]![0]!["message"]!.AsObject().Remove("annotations");
        root["usage"]!["prompt_tokens_details"]!.AsObject().Remove("audio_tokens");
        var completionDetails = root["usage"]!["completion_tokens_details"]!.AsObject();
        completionDetails.Remove("audio_tokens");
        completionDetails.Remove("accepted_prediction_tokens");
        completionDetails.Remove("rejected_prediction_tokens");
        JsonAssert.Equal(expected, written);
    }

    [Fact]
    public void Reads_response_usage_into_disjoint_buckets()
    {
        var body = FixtureFiles.Bytes(ResponseFixture);

        var response = Dialect.ReadResponse(body);

        Assert.Equal(Usage.FromInclusive(promptTokens: 1117, cachedTokens: 1024, completionTokens: 250, reasoningTokens: 192), response.Usage);
        Assert.Equal(93, response.Usage.InputTokens);
        Assert.Equal(1024, response.Usage.CacheReadTokens);
        Assert.Equal(58, response.Usage.OutputTokens);
        Assert.Equal(192, response.Usage.ReasoningTokens);
        Assert.Equal(1367, response.Usage.TotalTokens);
        Assert.Equal(FinishReason.ToolCalls, response.FinishReason);
        Assert.Equal(2, response.Parts.OfType<ToolCallPart>().Count());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1754812533), response.Created);
    }

    [Fact]
    public void Writes_text_reasoning_and_metadata_into_a_response()
    {
        var response = new ChatResponse
        {
            Id = "chatcmpl-1",
            Model = "fast",
            Created = DateTimeOffset.FromUnixTimeSeconds(1754812533),
            Parts = [new ReasoningPart("Think."), new TextPart("Hello"), new TextPart(" world")],
            FinishReason = FinishReason.StopSequence,
            Usage = new Usage { InputTokens = 5, CacheReadTokens = 3, OutputTokens = 2, ReasoningTokens = 4, Cost = 0.25m },
            Metadata = System.Text.Json.JsonDocument.Parse("""{"session":"s-1"}""").RootElement,
        };

        var written = WriteResponse(response);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                {
                  "id": "chatcmpl-1", "object": "chat.completion", "created": 1754812533, "model": "fast",
                  "choices": [{
                    "index": 0,
                    "message": { "role": "assistant", "content": "Hello world", "reasoning_content": "Think.", "refusal": null },
                    "logprobs": null,
                    "finish_reason": "stop"
                  }],
                  "usage": {
                    "prompt_tokens": 8, "completion_tokens": 6, "total_tokens": 14,
                    "prompt_tokens_details": { "cached_tokens": 3 },
                    "completion_tokens_details": { "reasoning_tokens": 4 },
                    "cost": 0.25
                  },
                  "metadata": { "session": "s-1" }
                }
                """),
            written);
    }

    [Theory]
    [InlineData(FinishReason.Stop, "stop")]
    [InlineData(FinishReason.StopSequence, "stop")]
    [InlineData(FinishReason.Refusal, "stop")]
    [InlineData(FinishReason.Other, "stop")]
    [InlineData(FinishReason.Length, "length")]
    [InlineData(FinishReason.ToolCalls, "tool_calls")]
    [InlineData(FinishReason.ContentFilter, "content_filter")]
    public void Writes_only_finish_reasons_the_openai_sdks_know(FinishReason finish, string expected)
    {
        // The SDKs read finish_reason into a closed enum: a reason from another dialect must not reach them raw.
        var response = new ChatResponse { Id = "chatcmpl-1", Model = "fast", Parts = [new TextPart("Hi")], FinishReason = finish };

        var written = WriteResponse(response);

        Assert.Equal(expected, (string?)written["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public void Skips_null_tool_calls_in_an_upstream_response()
    {
        var body = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":null,
             "tool_calls":[null,{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}
            """u8.ToArray();

        var response = Dialect.ReadResponse(body);

        Assert.Equal([new ToolCallPart("call_1", "f", "{}")], response.Parts);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("null")]
    public void Reports_a_malformed_upstream_response_as_an_upstream_failure(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);

        var exception = Assert.Throws<GatewayException>(() => Dialect.ReadResponse(bytes));

        Assert.Equal(GatewayErrorKind.UpstreamFailed, exception.Error.Kind);
        Assert.Equal(502, exception.Error.Status);
    }

    [Fact]
    public void Carries_string_and_text_part_content_through_whatever_it_holds()
    {
        // Content is read and written as a string where it is one (no element made of it): any
        // text, escapes and line separators included, must arrive as the client sent it; text
        // parts go up as one string, joined by newlines.
        string[] pieces = ["a", "b", " ", "\"", "\\", "\n", "\u00e9", "\u2028", "\ud83d\ude00"];
        var text = Gen.Int[0, pieces.Length - 1].Select(i => pieces[i]).Array[0, 30].Select(string.Concat);
        var content = Gen.OneOf(
            text.Select(t => (Json: System.Text.Json.JsonSerializer.Serialize(t), Expected: t)),
            text.Array[1, 3].Select(ts => (
                Json: "[" + string.Join(",", ts.Select(t => "{\"type\":\"text\",\"text\":" + System.Text.Json.JsonSerializer.Serialize(t) + "}")) + "]",
                Expected: string.Join("\n", ts))));
        content.Array[1, 5].Sample(messages =>
        {
            var body = "{\"model\":\"gpt-4o\",\"messages\":["
                + string.Join(",", messages.Select((m, i) => "{\"role\":\"" + (i % 2 == 0 ? "user" : "assistant") + "\", \"content\": " + m.Json + "}")) + "]}";

            var written = WriteRequest(Dialect.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments()), "gpt-4o");

            var sent = written["messages"]!.AsArray();
            Assert.Equal(messages.Length, sent.Count);
            for (var i = 0; i < messages.Length; i++)
            {
                Assert.Equal(messages[i].Expected, sent[i]!["content"]!.GetValue<string>());
            }
        }, iter: 2_000);
    }

    private static JsonNode WriteRequest(ChatRequest request, string upstreamModel)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Dialect.WriteRequest(request, upstreamModel, buffer);
        return JsonAssert.Parse(buffer.WrittenSpan);
    }

    private static JsonNode WriteResponse(ChatResponse response)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Dialect.WriteResponse(response, buffer);
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
