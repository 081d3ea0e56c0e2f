using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Media;

/// <summary>
/// Media billed for what it is: a transcription for its audio seconds whatever format the answer
/// takes, speech for its input characters even when the client leaves mid-audio, an image at its
/// size's price or the model's "*" price, and never for free.
/// </summary>
public sealed class MediaBillingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<GatewayInstance> StartAsync(FakeUpstream upstream) =>
        GatewayInstance.StartWithOpenAIAsync(upstream, config =>
        {
            var models = config["models"]!.AsArray();
            models.Add(new JsonObject
            {
                ["id"] = "stt", ["provider"] = "oai", ["model"] = "whisper-upstream", ["kind"] = "audio",
                ["pricing"] = new JsonObject { ["perAudioSecond"] = 0.01 },
            });
            models.Add(new JsonObject
            {
                ["id"] = "tts", ["provider"] = "oai", ["model"] = "tts-upstream", ["kind"] = "audio",
                ["pricing"] = new JsonObject { ["perMCharacters"] = 1000 },
            });
            models.Add(new JsonObject
            {
                ["id"] = "img", ["provider"] = "oai", ["model"] = "image-upstream", ["kind"] = "image",
                ["pricing"] = new JsonObject { ["perImage"] = new JsonObject { ["1024x1024"] = 0.04, ["*"] = 0.02 } },
            });
            models.Add(new JsonObject
            {
                ["id"] = "img-sized", ["provider"] = "oai", ["model"] = "image-upstream", ["kind"] = "image",
                ["pricing"] = new JsonObject { ["perImage"] = new JsonObject { ["1024x1024"] = 0.04 } },
            });
        });

    [Theory]
    [InlineData("tone.wav", "audio/wav", "text", "a tone")]
    [InlineData("tone.mp3", "audio/mpeg", "srt", "1\n00:00:00,000 --> 00:00:02,500\na tone\n")]
    [InlineData("tone.m4a", "audio/mp4", "vtt", "WEBVTT\n\n00:00:00.000 --> 00:00:02.500\na tone\n")]
    [InlineData("tone.webm", "audio/webm", "json", """{"text":"a tone"}""")]
    public async Task Charges_a_transcription_for_its_audio_seconds_whatever_the_answer_format(string file, string type, string format, string answer)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        var (id, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "stt", ["credits"] = 10 });
        upstream.Enqueue((context, _) =>
        {
            context.Response.ContentType = format == "json" ? "application/json" : "text/plain";
            return context.Response.WriteAsync(answer, context.RequestAborted);
        });
        var audio = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Audio", file), Ct);
        using var client = gateway.HttpClient(secret);
        using var form = new MultipartFormDataContent { { new StringContent("stt"), "model" }, { new StringContent(format), "response_format" } };
        var part = new ByteArrayContent(audio);
        part.Headers.ContentType = new MediaTypeHeaderValue(type);
        form.Add(part, "file", file);

        using var response = await client.PostAsync("/v1/audio/transcriptions", form, Ct);
        var row = await RequestRowAsync(gateway, id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(answer, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(format, await FieldAsync(upstream.LastRequest, "response_format"));
        Assert.InRange((decimal)row["cost"]!, 0.025m, 0.027m);
    }

    [Fact]
    public async Task Charges_speech_for_its_characters_when_the_client_leaves_mid_audio()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        var (id, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "tts", ["credits"] = 10 });
        var clientLeft = new TaskCompletionSource();
        upstream.Enqueue(async (context, _) =>
        {
            context.Response.ContentType = "audio/mpeg";
            await context.Response.Body.WriteAsync(new byte[4096], context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await clientLeft.Task.WaitAsync(context.RequestAborted);
        });
        var input = new string('é', 500) + "🎙"; // 501 characters, 502 UTF-16 units

        // The client reads the start of the audio, then leaves (an SDK reads the whole answer, so
        // it could only leave at a moment the test does not know the answer had started by).
        // No drain of the unread rest on leaving: the connection closes at once, as a client that quits does.
        using (var client = new HttpClient(new SocketsHttpHandler { ResponseDrainTimeout = TimeSpan.Zero }) { BaseAddress = new Uri(gateway.BaseUrl) })
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            var body = new JsonObject { ["model"] = "tts", ["input"] = input, ["voice"] = "alloy" };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/audio/speech") { Content = Requests.Json(body.ToJsonString()) };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var audio = await response.Content.ReadAsStreamAsync(Ct);
            Assert.True(await audio.ReadAsync(new byte[1024], Ct) > 0);
        }

        var row = await RequestRowAsync(gateway, id);
        clientLeft.TrySetResult();

        Assert.Equal(0.501m, (decimal)row["cost"]!);
        Assert.Equal(input, (string?)upstream.LastRequest.Json["input"]);
    }

    [Theory]
    [InlineData("""{"model":"img","prompt":"a cat"}""", 0.02)]
    [InlineData("""{"model":"img","prompt":"a cat","size":"256x256"}""", 0.02)]
    [InlineData("""{"model":"img","prompt":"a cat","size":"1024x1024"}""", 0.04)]
    public async Task Prices_an_image_at_its_size_else_at_the_models_star_price(string request, decimal cost)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        var (id, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "img", ["credits"] = 10 });
        upstream.EnqueueJson("""{"created":1,"data":[{"url":"https://img.example/1.png"}],"usage":{"total_tokens":1}}""");
        using var client = gateway.HttpClient(secret);

        using var response = await client.PostAsync("/v1/images/generations", Requests.Json(request), Ct);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        var row = await RequestRowAsync(gateway, id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(cost, (decimal)body["usage"]!["cost"]!);
        Assert.Equal(cost, (decimal)row["cost"]!);
        Assert.Equal("image-upstream", (string?)upstream.LastRequest.Json["model"]);
    }

    [Theory]
    [InlineData("""{"model":"img-sized","prompt":"a cat"}""", "send 'size' as one of: 1024x1024")]
    [InlineData("""{"model":"img-sized","prompt":"a cat","size":"256x256"}""", "no price for images of size '256x256'; use one of: 1024x1024")]
    public async Task Refuses_an_image_the_pricing_table_cannot_price_before_the_upstream_is_called(string request, string message)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/images/generations", Requests.Json(request), Ct);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Equal("size", (string?)error["param"]);
        Assert.Contains(message, (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    private static async Task<JsonObject> RequestRowAsync(GatewayInstance gateway, string keyId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var rows = await AdminApi.RequestsAsync(gateway, $"keyId={keyId}");
            if (rows.Count > 0)
            {
                return rows[0]!.AsObject();
            }

            await Task.Delay(50, Ct);
        }

        throw new TimeoutException("no request log row");
    }

    private static async Task<string> FieldAsync(RecordedRequest request, string name)
    {
        var boundary = Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(Microsoft.Net.Http.Headers.MediaTypeHeaderValue.Parse(request.Header("content-type")).Boundary).Value!;
        var reader = new Microsoft.AspNetCore.WebUtilities.MultipartReader(boundary, new MemoryStream(request.Body));
        while (await reader.ReadNextSectionAsync(Ct) is { } section)
        {
            if (section.GetContentDispositionHeader()!.Name.Value == name)
            {
                return await section.ReadAsStringAsync(Ct);
            }
        }

        return "";
    }
}
