using System.ClientModel;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenAI.Responses;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Surfaces;

/// <summary><c>POST</c>, <c>GET</c> and <c>DELETE /v1/responses</c> as the official .NET SDK's Responses client and raw HTTP clients see them.</summary>
public sealed class ResponsesSurfaceTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Answers_text_to_the_official_sdk_from_a_chat_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("Hi from upstream", promptTokens: 11, completionTokens: 4));
        var client = gateway.OpenAIClient().GetResponsesClient();
        var options = new CreateResponseOptions("gpt-test", [ResponseItem.CreateUserMessageItem("hello")]) { Instructions = "be brief" };

        var response = (await client.CreateResponseAsync(options, Token)).Value;

        Assert.Equal("Hi from upstream", response.GetOutputText());
        Assert.Equal("gpt-test", response.Model);
        Assert.Equal(ResponseStatus.Completed, response.Status);
        Assert.StartsWith("resp_", response.Id, StringComparison.Ordinal);
        Assert.Equal(11, response.Usage.InputTokenCount);
        Assert.Equal(4, response.Usage.OutputTokenCount);
        Assert.Equal(15, response.Usage.TotalTokenCount);
        var message = Assert.IsAssignableFrom<MessageResponseItem>(Assert.Single(response.OutputItems));
        Assert.Equal(MessageRole.Assistant, message.Role);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/chat/completions", sent.Path);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"model":"gpt-upstream","messages":[{"role":"developer","content":"be brief"},{"role":"user","content":"hello"}]}
            """), sent.Json), sent.BodyText);
    }

    [Fact]
    public async Task Streams_text_to_the_official_sdk_with_sequence_numbers_and_usage()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueSse(UpstreamAnswers.TextStream("Hel", "lo", " there"));
        var client = gateway.OpenAIClient().GetResponsesClient();

        var updates = await ResponsesEvents.CollectAsync(client.CreateResponseStreamingAsync("gpt-test", "hi", cancellationToken: Token));

        Assert.Equal(Enumerable.Range(0, updates.Count), updates.Select(u => u.SequenceNumber));
        Assert.IsType<StreamingResponseCreatedUpdate>(updates[0]);
        Assert.Equal(["Hel", "lo", " there"], updates.OfType<StreamingResponseOutputTextDeltaUpdate>().Select(u => u.Delta));
        Assert.Equal("Hello there", Assert.Single(updates.OfType<StreamingResponseOutputTextDoneUpdate>()).Text);
        var completed = Assert.IsType<StreamingResponseCompletedUpdate>(updates[^1]).Response;
        Assert.Equal("Hello there", completed.GetOutputText());
        Assert.Equal("gpt-test", completed.Model);
        Assert.Equal(ResponseStatus.Completed, completed.Status);
        Assert.Equal(7, completed.Usage.InputTokenCount);
        Assert.Equal(3, completed.Usage.OutputTokenCount);
        Assert.Equal(completed.Id, ((StreamingResponseCreatedUpdate)updates[0]).Response.Id);
        var sent = upstream.LastRequest.Json;
        Assert.True((bool?)sent["stream"]);
        Assert.True((bool?)sent["stream_options"]!["include_usage"]);
    }

    [Fact]
    public async Task Asks_a_chat_upstream_for_the_json_schema_and_returns_its_json()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("""{"city":"Paris","celsius":21}"""));
        var client = gateway.OpenAIClient().GetResponsesClient();
        var schema = BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"},"celsius":{"type":"number"}},"required":["city","celsius"],"additionalProperties":false}""");
        var options = new CreateResponseOptions("gpt-test", [ResponseItem.CreateUserMessageItem("Weather in Paris as JSON")])
        {
            TextOptions = new ResponseTextOptions { TextFormat = ResponseTextFormat.CreateJsonSchemaFormat("weather", schema, "Weather report", jsonSchemaIsStrict: true) },
        };

        var response = (await client.CreateResponseAsync(options, Token)).Value;

        using (var json = JsonDocument.Parse(response.GetOutputText()))
        {
            Assert.Equal("Paris", json.RootElement.GetProperty("city").GetString());
        }

        Assert.True(JsonNode.DeepEquals(
            new JsonObject
            {
                ["type"] = "json_schema",
                ["json_schema"] = new JsonObject { ["name"] = "weather", ["description"] = "Weather report", ["schema"] = JsonNode.Parse(schema.ToString()), ["strict"] = true },
            },
            upstream.LastRequest.Json["response_format"]), upstream.LastRequest.BodyText);
    }

    [Fact]
    public async Task Sends_an_input_image_to_a_chat_upstream_as_a_data_url()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("A single pixel."));
        var client = gateway.OpenAIClient().GetResponsesClient();
        var options = new CreateResponseOptions("gpt-test",
        [
            ResponseItem.CreateUserMessageItem(
            [
                ResponseContentPart.CreateInputTextPart("What is in this image?"),
                ResponseContentPart.CreateInputImagePart(BinaryData.FromBytes(Pixel.Bytes, "image/png"), ResponseImageDetailLevel.Low),
            ]),
        ]);

        var response = (await client.CreateResponseAsync(options, Token)).Value;

        Assert.Equal("A single pixel.", response.GetOutputText());
        var content = upstream.LastRequest.Json["messages"]![0]!["content"]!.AsArray();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$$"""
            [{"type":"text","text":"What is in this image?"},
             {"type":"image_url","image_url":{"url":"data:image/png;base64,{{{Pixel.Png}}}","detail":"low"}}]
            """), content), content.ToJsonString());
    }

    [Fact]
    public async Task Gets_a_stored_response_by_id_as_it_was_answered()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("Stored answer"));
        var client = gateway.OpenAIClient().GetResponsesClient();
        var created = (await client.CreateResponseAsync("gpt-test", "remember this", cancellationToken: Token)).Value;

        var fetched = (await client.GetResponseAsync(created.Id, Token)).Value;

        Assert.Equal(created.Id, fetched.Id);
        Assert.Equal("Stored answer", fetched.GetOutputText());
        Assert.Equal("gpt-test", fetched.Model);
        Assert.Equal(ResponseStatus.Completed, fetched.Status);
        Assert.Equal(created.Usage.TotalTokenCount, fetched.Usage.TotalTokenCount);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task Gets_a_streamed_response_by_id_with_its_final_output()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueSse(UpstreamAnswers.TextStream("Str", "eamed"));
        var client = gateway.OpenAIClient().GetResponsesClient();
        var updates = await ResponsesEvents.CollectAsync(client.CreateResponseStreamingAsync("gpt-test", "hi", cancellationToken: Token));
        var id = Assert.IsType<StreamingResponseCreatedUpdate>(updates[0]).Response.Id;

        var fetched = (await client.GetResponseAsync(id, Token)).Value;

        Assert.Equal("Streamed", fetched.GetOutputText());
        Assert.Equal(ResponseStatus.Completed, fetched.Status);
    }

    [Fact]
    public async Task Deletes_a_stored_response_after_which_it_is_not_found()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("Short-lived"));
        var client = gateway.OpenAIClient().GetResponsesClient();
        var created = (await client.CreateResponseAsync("gpt-test", "hi", cancellationToken: Token)).Value;

        var deleted = (await client.DeleteResponseAsync(created.Id, Token)).Value;
        using var http = gateway.HttpClient();
        var get = await http.GetAsync($"/v1/responses/{created.Id}", Token);
        var again = await http.DeleteAsync($"/v1/responses/{created.Id}", Token);

        Assert.True(deleted.Deleted);
        Assert.Equal(created.Id, deleted.ResponseId);
        var error = await OpenAIErrorAssert.ReadAsync(get, HttpStatusCode.NotFound, "not_found_error", null);
        Assert.Contains(created.Id, (string?)error["message"], StringComparison.Ordinal);
        await OpenAIErrorAssert.ReadAsync(again, HttpStatusCode.NotFound, "not_found_error", null);
    }

    [Fact]
    public async Task Hides_a_stored_response_from_another_key()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config => GatewayInstance.AddRestrictedKey(config, "gpt-test"));
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("Mine"));
        var created = (await gateway.OpenAIClient().GetResponsesClient().CreateResponseAsync("gpt-test", "hi", cancellationToken: Token)).Value;
        using var other = gateway.HttpClient(GatewayInstance.RestrictedKey);

        var get = await other.GetAsync($"/v1/responses/{created.Id}", Token);
        var delete = await other.DeleteAsync($"/v1/responses/{created.Id}", Token);
        var exception = await Assert.ThrowsAsync<ClientResultException>(() => gateway.OpenAIClient(GatewayInstance.RestrictedKey).GetResponsesClient().GetResponseAsync(created.Id, Token));
        var mine = (await gateway.OpenAIClient().GetResponsesClient().GetResponseAsync(created.Id, Token)).Value;

        await OpenAIErrorAssert.ReadAsync(get, HttpStatusCode.NotFound, "not_found_error", null);
        await OpenAIErrorAssert.ReadAsync(delete, HttpStatusCode.NotFound, "not_found_error", null);
        Assert.Equal(404, exception.Status);
        Assert.Equal("Mine", mine.GetOutputText());
    }

    [Theory]
    [InlineData("resp_0123456789abcdef0123456789abcdef")]
    [InlineData("unknown")]
    public async Task Answers_an_id_it_never_stored_with_a_404_in_the_openai_envelope(string id)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        var response = await http.GetAsync($"/v1/responses/{id}", Token);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.NotFound, "not_found_error", null);
        Assert.Equal("response_id", (string?)error["param"]);
    }

    [Fact]
    public async Task Requires_a_key_to_read_a_response()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var anonymous = gateway.HttpClient(key: null);

        var response = await anonymous.GetAsync("/v1/responses/resp_1", Token);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.Unauthorized, "authentication_error", "invalid_api_key");
    }

    [Fact]
    public async Task Stores_nothing_when_the_client_sets_store_false()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("Ephemeral"));
        var client = gateway.OpenAIClient().GetResponsesClient();
        var options = new CreateResponseOptions("gpt-test", [ResponseItem.CreateUserMessageItem("hi")]) { StoredOutputEnabled = false };

        var created = (await client.CreateResponseAsync(options, Token)).Value;
        using var http = gateway.HttpClient();
        var get = await http.GetAsync($"/v1/responses/{created.Id}", Token);
        var next = await http.PostAsync("/v1/responses", Requests.Json($$"""{"model":"gpt-test","input":"and then?","previous_response_id":"{{created.Id}}"}"""), Token);

        Assert.Equal("Ephemeral", created.GetOutputText());
        await OpenAIErrorAssert.ReadAsync(get, HttpStatusCode.NotFound, "not_found_error", null);
        var error = await OpenAIErrorAssert.ReadAsync(next, HttpStatusCode.NotFound, "not_found_error", null);
        Assert.Equal("previous_response_id", (string?)error["param"]);
        Assert.Single(upstream.Requests);
        Assert.Null(upstream.LastRequest.Json["store"]);
    }

    [Fact]
    public async Task Sends_chat_clients_of_a_responses_only_model_to_the_responses_surface()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "gpt-pro", ["provider"] = "oai", ["model"] = "gpt-5-pro", ["api"] = "responses", ["endpoints"] = new JsonArray("responses") }));
        upstream.EnqueueJson(ResponsesAnswers.Text("Thought hard."));
        using var http = gateway.HttpClient();

        var chat = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-pro","messages":[{"role":"user","content":"hi"}]}"""), Token);
        var responses = (await gateway.OpenAIClient().GetResponsesClient().CreateResponseAsync("gpt-pro", "hi", cancellationToken: Token)).Value;

        var error = await OpenAIErrorAssert.ReadAsync(chat, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Contains("/v1/responses", (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal("Thought hard.", responses.GetOutputText());
        Assert.Equal("gpt-pro", responses.Model);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/responses", sent.Path);
    }

    [Fact]
    public async Task Rejects_a_hosted_tool_for_a_chat_upstream_naming_it()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        var response = await http.PostAsync("/v1/responses", Requests.Json("""{"model":"gpt-test","input":"news?","tools":[{"type":"code_interpreter","container":{"type":"auto"}}]}"""), Token);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Contains("'code_interpreter'", (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Ends_the_stream_with_response_failed_when_a_chat_upstream_fails_mid_stream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueSse(
        [
            UpstreamAnswers.Chunk("""{"role":"assistant","content":""}"""),
            UpstreamAnswers.Chunk("""{"content":"Once upon"}"""),
            """data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}""",
            UpstreamAnswers.Chunk("""{"content":" a time"}"""),
            "data: [DONE]",
        ]);
        using var http = gateway.HttpClient();

        var response = await http.PostAsync("/v1/responses", Requests.Json("""{"model":"gpt-test","input":"a story","stream":true}"""), Token);
        var events = ResponsesEvents.Read(await SseEvents.ReadItemsAsync(response));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added", "response.output_text.delta", "response.failed"],
            events.Select(e => (string?)e["type"]));
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => (int)e["sequence_number"]!));
        var failed = events[^1]["response"]!;
        Assert.Equal("failed", (string?)failed["status"]);
        Assert.Equal("upstream_error", (string?)failed["error"]!["code"]);
        Assert.Equal("The server had an error while processing your request.", (string?)failed["error"]!["message"]);
        OpenAIErrorAssert.AssertNothingInternal(failed.ToJsonString());
    }

    [Fact]
    public async Task Surfaces_a_mid_stream_failure_to_the_official_sdk_as_its_last_update()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueSse(
        [
            UpstreamAnswers.Chunk("""{"role":"assistant","content":""}"""),
            UpstreamAnswers.Chunk("""{"content":"Once upon"}"""),
            """data: {"error":{"message":"Overloaded","type":"server_error","param":null,"code":null}}""",
        ]);
        var client = gateway.OpenAIClient().GetResponsesClient();

        var updates = await ResponsesEvents.CollectAsync(client.CreateResponseStreamingAsync("gpt-test", "a story", cancellationToken: Token));

        var failed = Assert.IsType<StreamingResponseFailedUpdate>(updates[^1]);
        Assert.Equal(ResponseStatus.Failed, failed.Response.Status);
        Assert.Equal("Overloaded", failed.Response.Error.Message);
        Assert.Equal("Once upon", Assert.Single(updates.OfType<StreamingResponseOutputTextDeltaUpdate>()).Delta);
    }

    [Fact]
    public async Task Echoes_metadata_on_the_response()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("ok"));
        var client = gateway.OpenAIClient().GetResponsesClient();
        var options = new CreateResponseOptions("gpt-test", [ResponseItem.CreateUserMessageItem("hi")]) { Metadata = { ["session"] = "8d1b" } };

        var response = (await client.CreateResponseAsync(options, Token)).Value;

        Assert.Equal("8d1b", response.Metadata["session"]);
    }
}
