using System.ClientModel;
using System.Net;
using System.Text.Json.Nodes;
using Anthropic.Models.Messages;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Media;

/// <summary>
/// An upstream inside the private network (here every fake upstream: they listen on loopback)
/// fetches media URLs from where it stands, so the gateway holds those URLs to its own address
/// policy before forwarding — on passthrough and on translation, in every dialect.
/// </summary>
public sealed class PrivateUpstreamMediaTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("http://10.0.0.7/a.png", "its host '10.0.0.7' is a private address")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "its host '169.254.169.254' is a link-local or metadata address")]
    [InlineData("http://[fec0::1]/a.png", "its host 'fec0::1' is a private (site-local) address")]
    [InlineData("http://[::10.0.0.7]/a.png", "its host '::10.0.0.7' is a private address")]
    [InlineData("http://[2002:a9fe:a9fe::1]/latest/meta-data/", "its host '2002:a9fe:a9fe::1' is a link-local or metadata address")]
    [InlineData("http://[::ffff:a00:1]/a.png", "its host '::ffff:a00:1' is a private address")]
    [InlineData("http://[2002:c0a8:101::1]/a.png", "its host '2002:c0a8:101::1' is a private address")]
    [InlineData("http://2130706433/a.png", "its host '2130706433' is a loopback address")]
    [InlineData("http://images.example\\@10.0.0.7/a.png", "it is not a plain absolute http or https URL")]
    public async Task Refuses_an_image_url_into_the_private_network_before_a_private_upstream_sees_it(string url, string reason)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/chat/completions", Requests.Json($$$"""
            {"model":"gpt-test","messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":{{{JsonValue.Create(url).ToJsonString()}}}}}]}]}
            """), Ct);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Equal("image_url", (string?)error["param"]);
        Assert.Contains($"The URL '{url}' cannot be sent to this model, which runs inside a private network: {reason}", (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Refuses_an_unreadable_image_url_before_a_private_one_in_the_same_body()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/chat/completions", Requests.Json("""
            {"model":"gpt-test","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"\ud800"}},{"type":"image_url","image_url":{"url":"http://10.0.0.7/a.png"}}]}]}
            """), Ct);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Forwards_a_public_image_url_to_a_private_upstream_untouched()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("A cat."));
        var client = gateway.OpenAIClient().GetChatClient("gpt-test");

        var completion = (await client.CompleteChatAsync([ImageMessage("http://93.184.215.14/cat.png")], cancellationToken: Ct)).Value;

        Assert.Equal("A cat.", completion.Content[0].Text);
        Assert.Equal("http://93.184.215.14/cat.png", (string?)upstream.LastRequest.Json["messages"]![0]!["content"]![1]!["image_url"]!["url"]);
    }

    [Fact]
    public async Task Lets_a_host_in_media_allow_hosts_through_to_a_private_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
            config["media"] = new JsonObject { ["allowHosts"] = new JsonArray("10.0.0.7") });
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("An internal cat."));
        var client = gateway.OpenAIClient().GetChatClient("gpt-test");

        await client.CompleteChatAsync([ImageMessage("http://10.0.0.7/cat.png")], cancellationToken: Ct);

        Assert.Equal("http://10.0.0.7/cat.png", (string?)upstream.LastRequest.Json["messages"]![0]!["content"]![1]!["image_url"]!["url"]);
    }

    [Fact]
    public async Task Refuses_a_name_without_saying_what_it_resolved_to()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/chat/completions", Requests.Json("""
            {"model":"gpt-test","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"http://localhost:8000/admin.png"}}]}]}
            """), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("its host 'localhost' does not resolve to public addresses only", body, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
        Assert.DoesNotContain("loopback", body, StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData("""{"type":"video_url","video_url":{"url":"http://10.0.0.1/v.mp4"}}""", "video_url")]
    [InlineData("""{"type":"audio_url","audio_url":{"url":"http://10.0.0.1/a.wav"}}""", "audio_url")]
    [InlineData("""{"type":"image_url","image_url":"http://10.0.0.1/bare.png"}""", "image_url")]
    public async Task Refuses_the_media_forms_vllm_adds_on_passthrough(string part, string param)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/chat/completions", Requests.Json($$"""
            {"model":"gpt-test","messages":[{"role":"user","content":[{"type":"text","text":"look"},{{part}}]}],"vllm_extra":true}
            """), Ct);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Equal(param, (string?)error["param"]);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Refuses_a_responses_input_image_on_passthrough()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "resp-test", ["provider"] = "oai", ["model"] = "resp-upstream", ["api"] = "responses" }));
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/responses", Requests.Json("""
            {"model":"resp-test","input":[{"role":"user","content":[{"type":"input_text","text":"what?"},{"type":"input_image","image_url":"http://192.168.1.1/cam.jpg"}]}]}
            """), Ct);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Equal("image_url", (string?)error["param"]);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Refuses_an_anthropic_image_url_translated_for_a_private_openai_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var client = gateway.AnthropicClient();

        var exception = await Assert.ThrowsAnyAsync<Exception>(() => client.Messages.Create(new MessageCreateParams
        {
            Model = "gpt-test",
            MaxTokens = 64,
            Messages = [new UserMessageParam(new List<ContentBlockParam> { new ImageBlockParam(new UrlImageSource { Url = "http://10.9.8.7/a.png" }), new TextBlockParam("What is it?") })],
        }, Ct));

        Assert.Contains("BadRequest", exception.Message, StringComparison.Ordinal);
        Assert.Contains("its host '10.9.8.7' is a private address", exception.Message, StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Refuses_an_anthropic_document_url_on_passthrough()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithAnthropicAsync(upstream);
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/messages", Requests.Json("""
            {"model":"claude-test","max_tokens":64,"messages":[{"role":"user","content":[
              {"type":"document","source":{"type":"url","url":"http://169.254.169.254/latest/user-data"}},
              {"type":"text","text":"summarise"}]}]}
            """), Ct);

        var error = await AnthropicErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error");
        Assert.Contains("link-local or metadata address", (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Refuses_a_gemini_file_uri_on_passthrough_in_either_spelling()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(upstream);
        using var client = gateway.HttpClient();

        using var camel = await client.PostAsync("/v1beta/models/gemini-test:generateContent", Requests.Json("""
            {"contents":[{"role":"user","parts":[{"text":"what?"},{"fileData":{"mimeType":"image/png","fileUri":"http://[::10.0.0.1]/x.png"}}]}]}
            """), Ct);
        using var snake = await client.PostAsync("/v1beta/models/gemini-test:generateContent", Requests.Json("""
            {"contents":[{"role":"user","parts":[{"file_data":{"mime_type":"image/png","file_uri":"http://100.64.1.1/x.png"}}]}]}
            """), Ct);

        var first = await GeminiErrorAssert.ReadAsync(camel, HttpStatusCode.BadRequest, "INVALID_ARGUMENT");
        var second = await GeminiErrorAssert.ReadAsync(snake, HttpStatusCode.BadRequest, "INVALID_ARGUMENT");
        Assert.Contains("is a private address", (string?)first["message"], StringComparison.Ordinal);
        Assert.Contains("carrier-grade NAT", (string?)second["message"], StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Refuses_more_media_urls_than_media_max_images()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config => config["media"] = new JsonObject { ["maxImages"] = 2 });
        var client = gateway.OpenAIClient().GetChatClient("gpt-test");
        var parts = Enumerable.Range(1, 3).Select(i => ChatMessageContentPart.CreateImagePart(new Uri($"http://93.184.215.{i}/a.png"))).ToList();

        var exception = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage(parts)], cancellationToken: Ct));

        Assert.Equal(400, exception.Status);
        Assert.Contains("3 media URLs; at most 2", exception.GetRawResponse()!.Content.ToString(), StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    private static UserChatMessage ImageMessage(string url) =>
        new(ChatMessageContentPart.CreateTextPart("What is this?"), ChatMessageContentPart.CreateImagePart(new Uri(url)));
}
