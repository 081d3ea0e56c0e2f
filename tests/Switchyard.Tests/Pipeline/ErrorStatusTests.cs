using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Pipeline;

/// <summary>The status table of docs/behaviour.md on the OpenAI surface, each row with its envelope.</summary>
public sealed class ErrorStatusTests
{
    private const string Hello = """[{"role":"user","content":"hi"}]""";

    [Theory]
    [InlineData("echo")]
    [InlineData("gpt-test")]
    public async Task Rejects_malformed_json_with_400(string model)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}"""), TestContext.Current.CancellationToken);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Contains("JSON", (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Rejects_a_body_that_is_not_an_object_with_400()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""["model","gpt-test"]"""), TestContext.Current.CancellationToken);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData("""{"model":42,"messages":[]}""", "model")]
    [InlineData("""{"model":"echo","messages":"hi"}""", "messages")]
    [InlineData("""{"model":"echo","messages":[{"role":"user","content":"hi"}],"max_tokens":"ten"}""", "max_tokens")]
    [InlineData("""{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}""", "temperature")]
    [InlineData("""{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"stream":"yes"}""", "stream")]
    public async Task Rejects_a_wrong_type_with_400_naming_the_parameter(string body, string param)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(body), TestContext.Current.CancellationToken);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Equal(param, (string?)error["param"]);
        Assert.Contains(param, (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Rejects_embeddings_without_input()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/embeddings", Requests.Json("""{"model":"embed-test"}"""), TestContext.Current.CancellationToken);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Equal("input", (string?)error["param"]);
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData("/v1/chat/completions", $$"""{"messages":{{Hello}}}""")]
    [InlineData("/v1/chat/completions", $$"""{"model":null,"messages":{{Hello}}}""")]
    [InlineData("/v1/embeddings", """{"input":"hi"}""")]
    [InlineData("/v1/completions", """{"prompt":"hi"}""")]
    public async Task Rejects_a_missing_model_with_400(string path, string body)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync(path, Requests.Json(body), TestContext.Current.CancellationToken);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Equal("model", (string?)error["param"]);
    }

    [Theory]
    [InlineData("/v1/chat/completions", $$"""{"model":"no-such-model","messages":{{Hello}}}""")]
    [InlineData("/v1/embeddings", """{"model":"no-such-model","input":"hi"}""")]
    [InlineData("/v1/completions", """{"model":"no-such-model","prompt":"hi"}""")]
    public async Task Answers_an_unknown_model_with_404(string path, string body)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync(path, Requests.Json(body), TestContext.Current.CancellationToken);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.NotFound, "not_found_error", "model_not_found");
        Assert.Equal("model", (string?)error["param"]);
        Assert.Contains("no-such-model", (string?)error["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_id_longer_than_any_models_is_refused_with_400_in_each_surfaces_envelope_and_kept_nowhere()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();
        var huge = new string('x', 100_000);
        var longest = new string('y', 256);

        using var chat = await http.PostAsync("/v1/chat/completions", Requests.Json($$"""{"model":"{{huge}}","messages":{{Hello}}}"""), TestContext.Current.CancellationToken);
        using var messages = await http.PostAsync("/v1/messages", Requests.Json($$"""{"model":"{{huge}}","max_tokens":5,"messages":{{Hello}}}"""), TestContext.Current.CancellationToken);
        using var gemini = await http.PostAsync($"/v1beta/models/{new string('x', 257)}:generateContent", Requests.Json("""{"contents":[{"parts":[{"text":"hi"}]}]}"""), TestContext.Current.CancellationToken);
        using var unknown = await http.PostAsync("/v1/chat/completions", Requests.Json($$"""{"model":"{{longest}}","messages":{{Hello}}}"""), TestContext.Current.CancellationToken);

        var chatError = await OpenAIErrorAssert.ReadAsync(chat, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Equal("model", (string?)chatError["param"]);
        Assert.Equal("'model' is longer than 256 characters: no model has such an id.", (string?)chatError["message"]);
        await AnthropicErrorAssert.ReadAsync(messages, HttpStatusCode.BadRequest, "invalid_request_error");
        await GeminiErrorAssert.ReadAsync(gemini, HttpStatusCode.BadRequest, "INVALID_ARGUMENT");
        var unknownError = await OpenAIErrorAssert.ReadAsync(unknown, HttpStatusCode.NotFound, "not_found_error", "model_not_found");
        Assert.Contains(longest, (string?)unknownError["message"], StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);

        // Every request is in the log, the refused ones under no model at all.
        var rows = await AdminApi.RequestsAsync(gateway, "keyId=cfg_user", atLeast: 4);
        Assert.Equal([(400, ""), (400, ""), (400, ""), (404, longest)], rows
            .Select(r => ((int)r!["status"]!, (string)r["model"]!))
            .Order());
    }

    [Theory]
    [InlineData("/v1/chat/completions", $$"""{"model":"gpt-test","messages":{{Hello}}}""")]
    [InlineData("/v1/chat/completions", $$"""{"model":"gpt-test","stream":true,"messages":{{Hello}}}""")]
    [InlineData("/v1/embeddings", """{"model":"embed-test","input":"hi"}""")]
    [InlineData("/v1/completions", """{"model":"gpt-test","prompt":"hi"}""")]
    public async Task Rejects_a_model_outside_the_key_allow_list_with_403(string path, string body)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config => GatewayInstance.AddRestrictedKey(config, "echo"));
        using var http = gateway.HttpClient(GatewayInstance.RestrictedKey);

        using var response = await http.PostAsync(path, Requests.Json(body), TestContext.Current.CancellationToken);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.Forbidden, "permission_error", "model_not_allowed");
        Assert.Equal("model", (string?)error["param"]);
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sk-test-unknown-0123456789")]
    public async Task Answers_a_missing_or_unknown_key_with_401_on_every_route(string? key)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient(key);

        using var chat = await http.PostAsync("/v1/chat/completions", Requests.Json($$"""{"model":"echo","messages":{{Hello}}}"""), TestContext.Current.CancellationToken);
        using var embeddings = await http.PostAsync("/v1/embeddings", Requests.Json("""{"model":"embed-test","input":"hi"}"""), TestContext.Current.CancellationToken);
        using var completions = await http.PostAsync("/v1/completions", Requests.Json("""{"model":"echo","prompt":"hi"}"""), TestContext.Current.CancellationToken);
        using var models = await http.GetAsync("/v1/models", TestContext.Current.CancellationToken);
        using var model = await http.GetAsync("/v1/models/echo", TestContext.Current.CancellationToken);

        foreach (var response in new[] { chat, embeddings, completions, models, model })
        {
            await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.Unauthorized, "authentication_error", "invalid_api_key");
        }

        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Rejects_a_body_over_the_configured_limit_with_413()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config => config["limits"] = new JsonObject { ["maxBodyBytes"] = 1024 });
        using var http = gateway.HttpClient();
        var large = $$"""{"model":"gpt-test","messages":[{"role":"user","content":"{{new string('x', 2000)}}"}]}""";

        using var declared = await http.PostAsync("/v1/chat/completions", Requests.Json(large), TestContext.Current.CancellationToken);
        using var chunked = await http.PostAsync("/v1/chat/completions", new StreamContent(new UnknownLengthStream(Encoding.UTF8.GetBytes(large))), TestContext.Current.CancellationToken);
        using var small = await http.PostAsync("/v1/chat/completions", Requests.Json($$"""{"model":"echo","messages":{{Hello}}}"""), TestContext.Current.CancellationToken);

        await OpenAIErrorAssert.ReadAsync(declared, HttpStatusCode.RequestEntityTooLarge, "invalid_request_error", "request_too_large");
        await OpenAIErrorAssert.ReadAsync(chunked, HttpStatusCode.RequestEntityTooLarge, "invalid_request_error", "request_too_large");
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Accepts_a_body_of_exactly_the_configured_limit_and_refuses_one_byte_more()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config => config["limits"] = new JsonObject { ["maxBodyBytes"] = 1024 });
        using var http = gateway.HttpClient();
        var template = """{"model":"echo","messages":[{"role":"user","content":"PAD"}]}""";
        var exact = template.Replace("PAD", new string('x', 1024 - template.Length + 3), StringComparison.Ordinal);

        using var declared = await http.PostAsync("/v1/chat/completions", Requests.Json(exact), TestContext.Current.CancellationToken);
        using var chunked = await http.PostAsync("/v1/chat/completions", new StreamContent(new UnknownLengthStream(Encoding.UTF8.GetBytes(exact))), TestContext.Current.CancellationToken);
        using var over = await http.PostAsync("/v1/chat/completions", Requests.Json(exact + " "), TestContext.Current.CancellationToken);

        Assert.Equal(1024, Encoding.UTF8.GetByteCount(exact));
        Assert.Equal(HttpStatusCode.OK, declared.StatusCode);
        Assert.Equal(HttpStatusCode.OK, chunked.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
    }

    [Fact]
    public async Task Passes_an_upstream_429_on_with_its_retry_after()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, GatewayInstance.NoRetries);
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context,
            """{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}""",
            429, new Dictionary<string, string> { ["Retry-After"] = "7" });
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json($$"""{"model":"gpt-test","messages":{{Hello}}}"""), TestContext.Current.CancellationToken);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.TooManyRequests, "rate_limit_error", "rate_limit_exceeded");
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Tries_every_deployment_then_answers_502_when_all_fail()
    {
        await using var first = await FakeUpstream.StartAsync();
        await using var second = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(first, config => AddTwoDeploymentModel(config, second));
        first.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.LeakyError(first), 500);
        second.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.LeakyError(second), 503);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json($$"""{"model":"dual","messages":{{Hello}}}"""), TestContext.Current.CancellationToken);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadGateway, "server_error", "upstream_error");
        Assert.NotEmpty(first.Requests);
        Assert.NotEmpty(second.Requests);
    }

    [Fact]
    public async Task Serves_from_another_deployment_after_an_upstream_500()
    {
        await using var first = await FakeUpstream.StartAsync();
        await using var second = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(first, config => AddTwoDeploymentModel(config, second));
        var attempts = 0;
        Func<HttpContext, RecordedRequest, Task> failOnce = (context, _) =>
            Interlocked.Increment(ref attempts) == 1
                ? FakeUpstream.WriteJsonAsync(context, """{"error":{"message":"boom"}}""", 500)
                : FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("second try"));
        first.Default = failOnce;
        second.Default = failOnce;
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json($$"""{"model":"dual","messages":{{Hello}}}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("second try", (string?)body["choices"]![0]!["message"]!["content"]);
        Assert.Equal("dual", (string?)body["model"]);
        Assert.Single(first.Requests);
        Assert.Single(second.Requests);
    }

    [Fact]
    public async Task Answers_504_when_the_upstream_does_not_answer_in_time()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, ShortTimeout);
        upstream.Default = async (context, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
            await FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("too late"));
        };
        using var http = gateway.HttpClient();
        var watch = Stopwatch.StartNew();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json($$"""{"model":"gpt-test","messages":{{Hello}}}"""), TestContext.Current.CancellationToken);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.GatewayTimeout, "server_error", "upstream_timeout");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Answers_504_when_the_upstream_body_stalls()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, ShortTimeout);
        upstream.Default = async (context, _) =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"id":"chatcmpl-1","object":"chat.""", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
        };
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json($$"""{"model":"gpt-test","messages":{{Hello}}}"""), TestContext.Current.CancellationToken);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.GatewayTimeout, "server_error", "upstream_timeout");
    }

    [Fact]
    public async Task Answers_502_when_the_upstream_cannot_be_reached()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var unreachable = await FakeUpstream.StartAsync();
        var address = unreachable.BaseUrl;
        await unreachable.DisposeAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
            config["providers"]!.AsArray().Single(p => (string?)p!["name"] == "oai")!["baseUrl"] = address + "/v1");
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json($$"""{"model":"gpt-test","messages":{{Hello}}}"""), TestContext.Current.CancellationToken);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadGateway, "server_error", "upstream_error");
    }

    [Fact]
    public async Task Passes_an_upstream_400_on_without_its_internals()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.LeakyError(upstream, "invalid_request_error"), 400);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json($$"""{"model":"gpt-test","messages":{{Hello}}}"""), TestContext.Current.CancellationToken);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.StartsWith("Backend ", (string?)error["message"], StringComparison.Ordinal);
        Assert.Single(upstream.Requests);
    }

    /// <summary>A model "dual" with one deployment on the default upstream and one on <paramref name="second"/>.</summary>
    private static void AddTwoDeploymentModel(JsonObject config, FakeUpstream second)
    {
        config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "oai2", ["type"] = "openai", ["baseUrl"] = second.BaseUrl + "/v1", ["apiKey"] = "sk-upstream-secret-key-123456", ["retries"] = 0 });
        config["providers"]!.AsArray().Single(p => (string?)p!["name"] == "oai")!["retries"] = 0;
        config["models"]!.AsArray().Add(new JsonObject
        {
            ["id"] = "dual",
            ["deployments"] = new JsonArray(
                new JsonObject { ["provider"] = "oai", ["model"] = "gpt-upstream" },
                new JsonObject { ["provider"] = "oai2", ["model"] = "gpt-upstream" }),
        });
    }

    private static void ShortTimeout(JsonObject config)
    {
        var provider = config["providers"]!.AsArray().Single(p => (string?)p!["name"] == "oai")!;
        provider["timeoutSeconds"] = 1;
        provider["retries"] = 0;
    }

    /// <summary>A body whose length is not declared, so it is sent chunked and only counting can enforce the limit.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
