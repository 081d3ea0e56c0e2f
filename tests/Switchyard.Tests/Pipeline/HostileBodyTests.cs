using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Pipeline;

/// <summary>
/// Bodies built to slip past the gateway's checks: a field sent twice (an upstream that keeps the
/// last <c>model</c> would serve one the key may not use), known fields of the wrong type, numbers
/// that do not fit, invalid UTF-8. Each is a 400 in the surface's own envelope, on every surface,
/// passthrough included, and nothing reaches the upstream.
/// </summary>
public sealed class HostileBodyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One gateway with a passthrough upstream for each dialect, and a key that may use only the small models.</summary>
    private static async Task<(GatewayInstance Gateway, FakeUpstream[] Upstreams)> StartAsync()
    {
        var openai = await FakeUpstream.StartAsync();
        var anthropic = await FakeUpstream.StartAsync();
        var gemini = await FakeUpstream.StartAsync();
        var gateway = await GatewayInstance.StartAsync(config =>
        {
            var providers = config["providers"]!.AsArray();
            providers.Add(new JsonObject { ["name"] = "oai", ["type"] = "openai", ["baseUrl"] = openai.BaseUrl + "/v1", ["apiKey"] = GatewayInstance.UpstreamKey });
            providers.Add(new JsonObject { ["name"] = "claude", ["type"] = "anthropic", ["baseUrl"] = anthropic.BaseUrl, ["apiKey"] = GatewayInstance.UpstreamKey });
            providers.Add(new JsonObject { ["name"] = "gem", ["type"] = "gemini", ["baseUrl"] = gemini.BaseUrl, ["apiKey"] = GatewayInstance.UpstreamKey });
            var models = config["models"]!.AsArray();
            models.Add(new JsonObject { ["id"] = "small", ["provider"] = "oai" });
            models.Add(new JsonObject { ["id"] = "big", ["provider"] = "oai" });
            models.Add(new JsonObject { ["id"] = "small-responses", ["provider"] = "oai", ["api"] = "responses" });
            models.Add(new JsonObject { ["id"] = "claude-small", ["provider"] = "claude" });
            models.Add(new JsonObject { ["id"] = "gemini-small", ["provider"] = "gem" });
            models.Add(new JsonObject { ["id"] = "small-image", ["provider"] = "oai", ["kind"] = "image", ["pricing"] = new JsonObject { ["perImage"] = new JsonObject { ["*"] = 0.01 } } });
            GatewayInstance.AddRestrictedKey(config, "small", "small-responses", "claude-small", "gemini-small", "small-image");
        });
        return (gateway, [openai, anthropic, gemini]);
    }

    public static TheoryData<string, string, string> Duplicates() => new()
    {
        { "/v1/chat/completions", """{"model":"small","messages":[{"role":"user","content":"hi"}],"model":"big"}""", "model" },
        { "/v1/chat/completions", """{"model":"small","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true},"stream_options":{"include_usage":false}}""", "stream_options" },
        { "/v1/chat/completions", """{"model":"small","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"max_tokens":100000}""", "max_tokens" },
        { "/v1/chat/completions", """{"model":"small","n":1,"messages":[{"role":"user","content":"hi"}],"n":50}""", "n" },
        { "/v1/chat/completions", """{"model":"small","messages":[{"role":"user","content":"hi"}],"\u006dodel":"big"}""", "model" },
        { "/v1/chat/completions", """{"model":"small","messages":[],"stream_options":{"include_usage":true,"include_usage":false}}""", "stream_options.include_usage" },
        { "/v1/responses", """{"model":"small-responses","input":"hi","model":"big"}""", "model" },
        { "/v1/completions", """{"model":"small","prompt":"hi","model":"big"}""", "model" },
        { "/v1/embeddings", """{"model":"small","input":"hi","input":["a","b"]}""", "input" },
    };

    [Theory]
    [MemberData(nameof(Duplicates))]
    public async Task A_field_sent_twice_is_refused_on_the_openai_surfaces(string path, string body, string field)
    {
        var (gateway, upstreams) = await StartAsync();
        await using var _ = gateway;
        using var client = gateway.HttpClient(GatewayInstance.RestrictedKey);

        using var response = await client.PostAsync(path, Requests.Json(body), Ct);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Equal(field, (string?)error["param"]);
        Assert.All(upstreams, u => Assert.Empty(u.Requests));
        await DisposeAsync(upstreams);
    }

    [Fact]
    public async Task A_field_sent_twice_is_refused_on_the_anthropic_and_gemini_surfaces()
    {
        var (gateway, upstreams) = await StartAsync();
        await using var _ = gateway;
        using var client = gateway.HttpClient(GatewayInstance.RestrictedKey);

        using var messages = await client.PostAsync("/v1/messages",
            Requests.Json("""{"model":"claude-small","max_tokens":10,"messages":[{"role":"user","content":"hi"}],"model":"claude-big"}"""), Ct);
        using var gemini = await client.PostAsync("/v1beta/models/gemini-small:generateContent",
            Requests.Json("""{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"contents":[{"role":"user","parts":[{"text":"other"}]}]}"""), Ct);

        Assert.Contains("'model'", (string?)(await AnthropicErrorAssert.ReadAsync(messages, HttpStatusCode.BadRequest, "invalid_request_error"))["message"], StringComparison.Ordinal);
        await GeminiErrorAssert.ReadAsync(gemini, HttpStatusCode.BadRequest, "INVALID_ARGUMENT");
        Assert.All(upstreams, u => Assert.Empty(u.Requests));
        await DisposeAsync(upstreams);
    }

    public static TheoryData<string, string, string> WrongTypes() => new()
    {
        { "/v1/chat/completions", """{"model":"small","messages":"hi"}""", "messages" },
        { "/v1/chat/completions", """{"model":"small","messages":[],"temperature":"hot"}""", "temperature" },
        { "/v1/chat/completions", """{"model":"small","messages":[],"max_tokens":"ten"}""", "max_tokens" },
        { "/v1/chat/completions", """{"model":"small","messages":[],"max_tokens":1e400}""", "max_tokens" },
        { "/v1/chat/completions", """{"model":"small","messages":[],"temperature":1e400}""", "temperature" },
        { "/v1/chat/completions", """{"model":"small","messages":[],"max_tokens":-5}""", "max_tokens" },
        { "/v1/chat/completions", """{"model":"small","messages":[],"max_tokens":2147483648}""", "max_tokens" },
        { "/v1/chat/completions", """{"model":"small","messages":[],"max_completion_tokens":9223372036854775807}""", "max_completion_tokens" },
        { "/v1/chat/completions", """{"model":"small","messages":[],"stream":"yes"}""", "stream" },
        { "/v1/chat/completions", """{"model":"small","messages":[],"stream_options":{"include_usage":"no"}}""", "stream_options.include_usage" },
        { "/v1/chat/completions", """{"model":["small"],"messages":[]}""", "model" },
        { "/v1/responses", """{"model":"small-responses","input":"hi","max_output_tokens":-1}""", "max_output_tokens" },
        { "/v1/responses", """{"model":"small-responses","input":"hi","temperature":"hot"}""", "temperature" },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public async Task A_known_field_of_the_wrong_type_or_an_absurd_number_is_refused(string path, string body, string field)
    {
        var (gateway, upstreams) = await StartAsync();
        await using var _ = gateway;
        using var client = gateway.HttpClient(GatewayInstance.RestrictedKey);

        using var response = await client.PostAsync(path, Requests.Json(body), Ct);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Equal(field, (string?)error["param"]);
        Assert.All(upstreams, u => Assert.Empty(u.Requests));
        await DisposeAsync(upstreams);
    }

    [Fact]
    public async Task Wrong_types_are_refused_on_the_anthropic_and_gemini_passthroughs()
    {
        var (gateway, upstreams) = await StartAsync();
        await using var _ = gateway;
        using var client = gateway.HttpClient(GatewayInstance.RestrictedKey);

        using var messages = await client.PostAsync("/v1/messages",
            Requests.Json("""{"model":"claude-small","max_tokens":"ten","messages":[{"role":"user","content":"hi"}]}"""), Ct);
        using var negative = await client.PostAsync("/v1/messages",
            Requests.Json("""{"model":"claude-small","max_tokens":-10,"messages":[{"role":"user","content":"hi"}]}"""), Ct);
        using var contents = await client.PostAsync("/v1beta/models/gemini-small:generateContent", Requests.Json("""{"contents":"hi"}"""), Ct);
        using var budget = await client.PostAsync("/v1beta/models/gemini-small:generateContent",
            Requests.Json("""{"contents":[],"generationConfig":{"maxOutputTokens":-3}}"""), Ct);

        Assert.Contains("max_tokens", (string?)(await AnthropicErrorAssert.ReadAsync(messages, HttpStatusCode.BadRequest, "invalid_request_error"))["message"], StringComparison.Ordinal);
        Assert.Contains("max_tokens", (string?)(await AnthropicErrorAssert.ReadAsync(negative, HttpStatusCode.BadRequest, "invalid_request_error"))["message"], StringComparison.Ordinal);
        Assert.Contains("contents", (string?)(await GeminiErrorAssert.ReadAsync(contents, HttpStatusCode.BadRequest, "INVALID_ARGUMENT"))["message"], StringComparison.Ordinal);
        Assert.Contains("generationConfig.maxOutputTokens", (string?)(await GeminiErrorAssert.ReadAsync(budget, HttpStatusCode.BadRequest, "INVALID_ARGUMENT"))["message"], StringComparison.Ordinal);
        Assert.All(upstreams, u => Assert.Empty(u.Requests));
        await DisposeAsync(upstreams);
    }

    [Theory]
    [InlineData("model")]
    [InlineData("content")]
    public async Task Invalid_utf8_anywhere_in_the_body_is_refused(string where)
    {
        var (gateway, upstreams) = await StartAsync();
        await using var _ = gateway;
        using var client = gateway.HttpClient(GatewayInstance.RestrictedKey);
        var bytes = Encoding.UTF8.GetBytes("""{"model":"smallX","messages":[{"role":"user","content":"hiY"}]}""");
        bytes[Array.IndexOf(bytes, (byte)(where == "model" ? 'X' : 'Y'))] = 0xC3;
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");

        using var response = await client.PostAsync("/v1/chat/completions", content, Ct);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Contains("UTF-8", (string?)error["message"], StringComparison.Ordinal);
        Assert.All(upstreams, u => Assert.Empty(u.Requests));
        await DisposeAsync(upstreams);
    }

    public static TheoryData<string, string, string> OtherRoutes() => new()
    {
        { "/v1/messages/count_tokens", """{"model":"claude-small","messages":[{"role":"user","content":"hi"}],"model":"claude-big"}""", "anthropic" },
        { "/v1/messages/count_tokens", """{"model":"claude-small","messages":"hi"}""", "anthropic" },
        { "/v1/messages", """{"model":"claude-small","max_tokens":9223372036854775807,"messages":[{"role":"user","content":"hi"}]}""", "anthropic" },
        { "/v1/messages", """{"model":"claude-small","max_tokens":1e400,"messages":[{"role":"user","content":"hi"}]}""", "anthropic" },
        { "/v1/responses/input_tokens", """{"model":"small-responses","input":"hi","model":"big"}""", "openai" },
        { "/v1/responses", """{"model":"small-responses","input":"hi","max_output_tokens":2147483648}""", "openai" },
        { "/v1/images/generations", """{"model":"small-image","prompt":"a cat","model":"big"}""", "openai" },
        { "/v1/images/generations", """{"model":"small-image","prompt":"a cat","n":-2}""", "openai" },
        { "/v1beta/models/gemini-small:streamGenerateContent?alt=sse", """{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"contents":[]}""", "gemini" },
        { "/v1beta/models/gemini-small:countTokens", """{"contents":"hi"}""", "gemini" },
        { "/v1beta/models/gemini-small:generateContent", """{"contents":[],"generation_config":{"max_output_tokens":-1}}""", "gemini" },
        { "/v1beta/models/gemini-small:generateContent", """{"contents":[],"generationConfig":{"maxOutputTokens":1e400}}""", "gemini" },
    };

    /// <summary>The same checks on the token-count, stream and image routes, each in its own envelope.</summary>
    [Theory]
    [MemberData(nameof(OtherRoutes))]
    public async Task A_field_sent_twice_or_of_the_wrong_type_is_refused_on_every_other_route(string path, string body, string envelope)
    {
        var (gateway, upstreams) = await StartAsync();
        await using var _ = gateway;
        using var client = gateway.HttpClient(GatewayInstance.RestrictedKey);

        using var response = await client.PostAsync(path, Requests.Json(body), Ct);

        switch (envelope)
        {
            case "anthropic":
                await AnthropicErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error");
                break;
            case "gemini":
                await GeminiErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "INVALID_ARGUMENT");
                break;
            default:
                await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
                break;
        }

        Assert.All(upstreams, u => Assert.Empty(u.Requests));
        await DisposeAsync(upstreams);
    }

    [Fact]
    public async Task Invalid_utf8_is_refused_on_the_anthropic_and_gemini_surfaces_too()
    {
        var (gateway, upstreams) = await StartAsync();
        await using var _ = gateway;
        using var client = gateway.HttpClient(GatewayInstance.RestrictedKey);

        using var messages = await client.PostAsync("/v1/messages", Bytes("""{"model":"claude-smallX","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"""), Ct);
        using var gemini = await client.PostAsync("/v1beta/models/gemini-small:generateContent", Bytes("""{"contents":[{"role":"user","parts":[{"text":"hiX"}]}]}"""), Ct);

        Assert.Contains("UTF-8", (string?)(await AnthropicErrorAssert.ReadAsync(messages, HttpStatusCode.BadRequest, "invalid_request_error"))["message"], StringComparison.Ordinal);
        Assert.Contains("UTF-8", (string?)(await GeminiErrorAssert.ReadAsync(gemini, HttpStatusCode.BadRequest, "INVALID_ARGUMENT"))["message"], StringComparison.Ordinal);
        Assert.All(upstreams, u => Assert.Empty(u.Requests));
        await DisposeAsync(upstreams);

        // An 'X' becomes 0xFF, a byte UTF-8 never has.
        static ByteArrayContent Bytes(string json)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            bytes[Array.IndexOf(bytes, (byte)'X')] = 0xFF;
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new("application/json");
            return content;
        }
    }

    /// <summary>
    /// Valid UTF-8 that is still no Unicode text: a surrogate escaped without its pair. Every reader
    /// fails on it where it meets it (the model name was a 500), so it is refused up front.
    /// </summary>
    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"\ud800","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/chat/completions", """{"model":"small","messages":[{"role":"user","content":"x\ud83d"}]}""")]
    [InlineData("/v1/completions", """{"model":"small","prompt":"\udc00"}""")]
    [InlineData("/v1/embeddings", """{"model":"x\ud83d","input":"hi"}""")]
    public async Task An_escaped_surrogate_without_its_pair_is_refused(string path, string body)
    {
        var (gateway, upstreams) = await StartAsync();
        await using var _ = gateway;
        using var client = gateway.HttpClient(GatewayInstance.RestrictedKey);

        using var response = await client.PostAsync(path, Requests.Json(body), Ct);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Contains("surrogate", (string?)error["message"], StringComparison.Ordinal);
        Assert.All(upstreams, u => Assert.Empty(u.Requests));
        await DisposeAsync(upstreams);
    }

    private static async Task DisposeAsync(FakeUpstream[] upstreams)
    {
        foreach (var upstream in upstreams)
        {
            await upstream.DisposeAsync();
        }
    }
}
