using System.ClientModel;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using OpenAI.Chat;
using Switchyard.Configuration;
using Switchyard.Media;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Media;

/// <summary>
/// Images by URL for upstreams that take them inline only (Gemini): fetched by the gateway from public
/// addresses only (docs/behaviour.md). Every refusal happens before a connection is made, so nothing here
/// ever leaves loopback.
/// </summary>
public sealed class ImageFetcherTests
{
    [Fact]
    public async Task Fetches_an_image_from_an_allowed_host_and_sends_it_inline()
    {
        await using var gemini = await FakeUpstream.StartAsync();
        await using var images = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(gemini, config => Media(config, allowLoopback: true));
        images.Enqueue((context, _) => WriteImageAsync(context, Pixel.Bytes, "image/png"));
        gemini.EnqueueJson(GeminiAnswers.Text("A pixel."));
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");

        var completion = (await client.CompleteChatAsync([ImageMessage(images.BaseUrl + "/cat.png")], cancellationToken: TestContext.Current.CancellationToken)).Value;

        Assert.Equal("A pixel.", completion.Content[0].Text);
        Assert.Equal("/cat.png", Assert.Single(images.Requests).Path);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$$"""
            [{"role":"user","parts":[{"text":"What is this?"},{"inlineData":{"mimeType":"image/png","data":"{{{Pixel.Png}}}"}}]}]
            """), gemini.LastRequest.Json["contents"]), gemini.LastRequest.BodyText);
    }

    [Fact]
    public async Task Refuses_loopback_when_the_host_is_not_allowed()
    {
        await using var gemini = await FakeUpstream.StartAsync();
        await using var images = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(gemini);
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");

        var message = await RefusalAsync(client, images.BaseUrl + "/cat.png");

        Assert.Contains("loopback", message, StringComparison.Ordinal);
        Assert.Empty(images.Requests);
        Assert.Empty(gemini.Requests);
    }

    [Theory]
    [InlineData("http://10.0.0.1/cat.png", "a private address")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "a link-local or metadata address")]
    public async Task Refuses_a_private_or_metadata_address_before_connecting(string url, string reason)
    {
        await using var gemini = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(gemini, config => Media(config, allowLoopback: true));
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");

        var message = await RefusalAsync(client, url);

        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.Empty(gemini.Requests);
    }

    [Fact]
    public async Task Refuses_an_allowed_host_that_redirects_to_a_private_address()
    {
        await using var gemini = await FakeUpstream.StartAsync();
        await using var images = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(gemini, config => Media(config, allowLoopback: true));
        images.Enqueue((context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = "http://10.0.0.1/x";
            return Task.CompletedTask;
        });
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");

        var message = await RefusalAsync(client, images.BaseUrl + "/redirect");

        Assert.Contains("its host '10.0.0.1' is a private address", message, StringComparison.Ordinal);
        Assert.Single(images.Requests);
        Assert.Empty(gemini.Requests);
    }

    [Fact]
    public async Task Refuses_an_image_over_the_size_limit_whether_or_not_it_declares_its_length()
    {
        await using var gemini = await FakeUpstream.StartAsync();
        await using var images = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(gemini, config => Media(config, allowLoopback: true, maxBytes: 1000));
        var big = new byte[4096];
        images.Enqueue((context, _) => WriteImageAsync(context, big, "image/png"));
        images.Enqueue(async (context, _) =>
        {
            // No Content-Length: the cap must hold while reading.
            context.Response.ContentType = "image/png";
            for (var i = 0; i < 4; i++)
            {
                await context.Response.Body.WriteAsync(big.AsMemory(0, 1024), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        });
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");

        var declared = await RefusalAsync(client, images.BaseUrl + "/big.png");
        var streamed = await RefusalAsync(client, images.BaseUrl + "/big-chunked.png");

        Assert.Contains("larger than the gateway's limit of 1000 bytes", declared, StringComparison.Ordinal);
        Assert.Contains("larger than the gateway's limit of 1000 bytes", streamed, StringComparison.Ordinal);
        Assert.Equal(2, images.Requests.Count);
        Assert.Empty(gemini.Requests);
    }

    [Fact]
    public async Task Refuses_a_url_that_does_not_serve_an_image()
    {
        await using var gemini = await FakeUpstream.StartAsync();
        await using var images = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(gemini, config => Media(config, allowLoopback: true));
        images.Enqueue((context, _) => WriteImageAsync(context, "<html>not an image</html>"u8.ToArray(), "text/html"));
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");

        var message = await RefusalAsync(client, images.BaseUrl + "/page.html");

        Assert.Contains("does not serve an image (content type text/html)", message, StringComparison.Ordinal);
        Assert.Empty(gemini.Requests);
    }

    [Fact]
    public async Task Refuses_more_images_than_media_max_images_before_fetching_any()
    {
        using var fetcher = new ImageFetcher(new MediaOptions { MaxImages = 2 }, (_, _) => throw new InvalidOperationException("nothing may be resolved"));
        var request = new Dialects.Canonical.ChatRequest
        {
            Model = "m",
            Messages =
            [
                new Dialects.Canonical.ChatMessage(
                    Dialects.Canonical.Role.User,
                    Enumerable.Range(0, 3).Select(i => (Dialects.Canonical.ContentPart)new Dialects.Canonical.ImagePart { Url = $"https://images.example/{i}.png" }).ToList()),
            ],
        };

        var exception = await Assert.ThrowsAsync<Dialects.GatewayException>(() => ImageInliner.InlineAsync(request, fetcher, TestContext.Current.CancellationToken));

        Assert.Equal("The request has 3 images by URL; the gateway fetches at most 2 per request.", exception.Error.Message);
        Assert.Equal("image_url", exception.Error.Param);
    }

    [Fact]
    public async Task Refuses_images_that_together_pass_media_max_inline_bytes()
    {
        await using var gemini = await FakeUpstream.StartAsync();
        await using var images = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(gemini, config =>
        {
            Media(config, allowLoopback: true, maxBytes: 1000);
            config["media"]!["maxInlineBytes"] = 1500;
        });
        images.Default = (context, _) => WriteImageAsync(context, new byte[900], "image/png");
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");
        UserChatMessage message = new(
            ChatMessageContentPart.CreateImagePart(new Uri(images.BaseUrl + "/a.png")),
            ChatMessageContentPart.CreateImagePart(new Uri(images.BaseUrl + "/b.png")));

        var exception = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([message]));

        Assert.Equal(400, exception.Status);
        Assert.Contains("images together are larger than the gateway's limit of 1500 bytes", exception.GetRawResponse()!.Content.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, images.Requests.Count);
        Assert.Empty(gemini.Requests);
    }

    [Fact]
    public async Task Answers_400_when_the_image_server_resets_mid_image()
    {
        await using var gemini = await FakeUpstream.StartAsync();
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync(TestContext.Current.CancellationToken);
            var request = new byte[4096];
            await socket.ReceiveAsync(request, TestContext.Current.CancellationToken);
            await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
            await socket.SendAsync(new byte[2000], TestContext.Current.CancellationToken);
            socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
            socket.Close();
        }, TestContext.Current.CancellationToken);
        await using var gateway = await GatewayInstance.StartWithGeminiAsync(gemini, config => Media(config, allowLoopback: true));
        var client = gateway.OpenAIClient().GetChatClient("gemini-test");

        var message = await RefusalAsync(client, $"http://127.0.0.1:{port}/half.png");
        await server;

        Assert.Contains("closed the connection before the image was complete", message, StringComparison.Ordinal);
        Assert.Empty(gemini.Requests);
    }

    [Theory]
    [InlineData("http://[::1]/x", "a loopback address")]
    [InlineData("http://[::ffff:10.1.2.3]/x", "a private address")]
    [InlineData("http://[fd00::1]/x", "a private (unique-local) address")]
    [InlineData("http://[fe80::1]/x", "a link-local address")]
    [InlineData("http://0.0.0.0/x", "an unspecified address")]
    [InlineData("http://100.64.0.1/x", "a shared (carrier-grade NAT) address")]
    [InlineData("http://192.168.1.10/x", "a private address")]
    [InlineData("http://172.16.0.1/x", "a private address")]
    [InlineData("http://localhost:9/x", "its host 'localhost' does not resolve to public addresses only")]
    [InlineData("http://[::a00:1]/x", "a private address")]
    [InlineData("http://[2002:a9fe:a9fe::1]/x", "a link-local or metadata address")]
    [InlineData("http://[fec0::1]/x", "a private (site-local) address")]
    [InlineData("file:///etc/passwd", "must be an absolute http or https URL")]
    public async Task Refuses_every_non_public_address_with_its_reason(string url, string reason)
    {
        using var fetcher = new ImageFetcher(new MediaOptions());

        var exception = await Assert.ThrowsAsync<MediaFetchException>(() => fetcher.FetchAsync(url, maxBytes: null, TestContext.Current.CancellationToken));

        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
    }

    private static void Media(JsonObject config, bool allowLoopback, long? maxBytes = null)
    {
        var media = new JsonObject { ["allowHosts"] = allowLoopback ? new JsonArray("127.0.0.1") : new JsonArray() };
        if (maxBytes is long max)
        {
            media["maxBytes"] = max;
        }

        config["media"] = media;
    }

    private static UserChatMessage ImageMessage(string url) =>
        new(ChatMessageContentPart.CreateTextPart("What is this?"), ChatMessageContentPart.CreateImagePart(new Uri(url)));

    private static async Task WriteImageAsync(HttpContext context, byte[] bytes, string contentType)
    {
        context.Response.ContentType = contentType;
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    /// <summary>Sends an image by URL and returns the message of the 400 that refuses it.</summary>
    private static async Task<string> RefusalAsync(ChatClient client, string url)
    {
        var exception = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([ImageMessage(url)]));
        Assert.Equal(400, exception.Status);
        var body = exception.GetRawResponse()!.Content.ToString();
        var error = JsonNode.Parse(body)!["error"]!;
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Equal("image_url", (string?)error["param"]);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayInstance.UpstreamKey, body, StringComparison.Ordinal);
        var message = (string?)error["message"] ?? "";
        Assert.Contains(url, message, StringComparison.Ordinal);
        return message;
    }
}
