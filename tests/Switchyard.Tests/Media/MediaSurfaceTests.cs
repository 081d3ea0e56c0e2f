using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using OpenAI.Audio;
using OpenAI.Images;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Media;

public sealed class MediaSurfaceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<GatewayInstance> StartAsync(FakeUpstream upstream, Action<JsonObject>? configure = null) =>
        GatewayInstance.StartWithOpenAIAsync(upstream, config =>
        {
            var models = config["models"]!.AsArray();
            models.Add(new JsonObject
            {
                ["id"] = "img", ["provider"] = "oai", ["model"] = "image-upstream", ["kind"] = "image",
                ["pricing"] = new JsonObject { ["perImage"] = new JsonObject { ["1024x1024"] = 0.04, ["1024x1024/hd"] = 0.08, ["*"] = 0.02 } },
            });
            models.Add(new JsonObject { ["id"] = "tts", ["provider"] = "oai", ["model"] = "tts-upstream", ["kind"] = "audio" });
            models.Add(new JsonObject { ["id"] = "stt", ["provider"] = "oai", ["model"] = "whisper-upstream", ["kind"] = "audio" });
            configure?.Invoke(config);
        });

    [Fact]
    public async Task Generates_images_through_the_official_sdk_and_renames_the_model_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        upstream.EnqueueJson($$$"""{"created":1700000000,"data":[{"b64_json":"{{{Pixel.Png}}}","revised_prompt":"a red pixel"}],"usage":{"input_tokens":5,"output_tokens":100,"total_tokens":105}}""");
        var client = gateway.OpenAIClient().GetImageClient("img");

        var image = (await client.GenerateImageAsync("a red pixel", new ImageGenerationOptions
        {
            Size = GeneratedImageSize.W1024xH1024,
            Quality = GeneratedImageQuality.High,
            ResponseFormat = GeneratedImageFormat.Bytes,
        }, Ct)).Value;

        Assert.Equal(Pixel.Bytes, image.ImageBytes.ToArray());
        var sent = upstream.LastRequest;
        Assert.Equal("/v1/images/generations", sent.Path);
        Assert.Equal("image-upstream", (string?)sent.Json["model"]);
        Assert.Equal("a red pixel", (string?)sent.Json["prompt"]);
        Assert.Equal("1024x1024", (string?)sent.Json["size"]);
    }

    [Fact]
    public async Task An_image_answer_cut_short_by_the_upstream_is_a_502()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        upstream.Default = (context, _) => Forwarding.HostileAnswerTests.WriteCutShortAsync(context, """{"created":1,"data":[{"b64_json":"iVBOR"""u8.ToArray());
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/images/generations", Requests.Json("""{"model":"img","prompt":"x"}"""), Ct);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadGateway, "server_error", "upstream_error");
    }

    [Fact]
    public async Task Adds_the_cost_of_the_images_by_size_and_quality_to_the_usage()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        upstream.EnqueueJson("""{"created":1,"data":[{"url":"https://img.example/1.png"},{"url":"https://img.example/2.png"}],"usage":{"total_tokens":10}}""");
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/images/generations",
            Requests.Json("""{"model":"img","prompt":"two","n":2,"size":"1024x1024","quality":"hd"}"""), Ct);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0.16m, (decimal)body["usage"]!["cost"]!);
        Assert.Equal(2, body["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task Streams_speech_back_as_it_arrives()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        var audio = Enumerable.Range(0, 200_000).Select(i => (byte)(i % 251)).ToArray();
        upstream.Enqueue(async (context, _) =>
        {
            context.Response.ContentType = "audio/mpeg";
            for (var offset = 0; offset < audio.Length; offset += 50_000)
            {
                await context.Response.Body.WriteAsync(audio.AsMemory(offset, 50_000), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        });
        var client = gateway.OpenAIClient().GetAudioClient("tts");

        var speech = (await client.GenerateSpeechAsync("Hello there", GeneratedSpeechVoice.Alloy, cancellationToken: Ct)).Value;

        Assert.Equal(audio, speech.ToArray());
        Assert.Equal("/v1/audio/speech", upstream.LastRequest.Path);
        Assert.Equal("tts-upstream", (string?)upstream.LastRequest.Json["model"]);
        Assert.Equal("Hello there", (string?)upstream.LastRequest.Json["input"]);
    }

    [Fact]
    public async Task Transcribes_through_the_official_sdk_passing_every_part_on_byte_for_byte()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        upstream.EnqueueJson("""{"text":"hello world"}""");
        var audio = Encoding.ASCII.GetBytes("RIFF....WAVEfmt ") .Concat(Enumerable.Range(0, 10_000).Select(i => (byte)i)).ToArray();
        var client = gateway.OpenAIClient().GetAudioClient("stt");

        var transcription = (await client.TranscribeAudioAsync(new MemoryStream(audio), "clip.wav",
            new AudioTranscriptionOptions { Language = "en", Prompt = "greeting" }, Ct)).Value;

        Assert.Equal("hello world", transcription.Text);
        var parts = await ParseMultipartAsync(upstream.LastRequest);
        Assert.Equal("whisper-upstream", Encoding.UTF8.GetString(parts["model"]));
        Assert.Equal("en", Encoding.UTF8.GetString(parts["language"]));
        Assert.Equal("greeting", Encoding.UTF8.GetString(parts["prompt"]));
        Assert.Equal(audio, parts["file"]);
        Assert.Equal("/v1/audio/transcriptions", upstream.LastRequest.Path);
    }

    [Fact]
    public async Task Streams_a_50_MB_upload_to_the_upstream_while_the_client_is_still_sending()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, config => config["limits"] = new JsonObject { ["maxBodyBytes"] = 64 * 1024 * 1024 });
        var upstreamHasFirstMegabyte = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long received = 0;
        upstream.Raw = async context =>
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                received += read;
                if (received > 1_000_000)
                {
                    upstreamHasFirstMegabyte.TrySetResult();
                }
            }

            await FakeUpstream.WriteJsonAsync(context, """{"text":"long"}""");
        };
        using var client = gateway.HttpClient();
        using var content = new GatedUploadContent(totalFileBytes: 50 * 1024 * 1024, gate: upstreamHasFirstMegabyte.Task);

        using var response = await client.PostAsync("/v1/audio/transcriptions", content, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(content.WaitedForUpstream, "the client finished sending before the upstream saw a megabyte");
        Assert.True(received > 50 * 1024 * 1024, $"upstream received {received} bytes");
    }

    [Theory]
    [InlineData("text/plain", "notes.txt", "'file' must be audio")]
    [InlineData(null, null, "'file' is required.")]
    public async Task Refuses_an_upload_without_an_audio_file_naming_the_field(string? fileType, string? fileName, string message)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        using var client = gateway.HttpClient();
        using var form = new MultipartFormDataContent { { new StringContent("stt"), "model" } };
        if (fileType is not null)
        {
            var file = new ByteArrayContent("hello"u8.ToArray());
            file.Headers.ContentType = new MediaTypeHeaderValue(fileType);
            form.Add(file, "file", fileName!);
        }

        using var response = await client.PostAsync("/v1/audio/transcriptions", form, Ct);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("file", (string?)error["param"]);
        Assert.Contains(message, (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Refuses_an_upload_naming_a_model_longer_than_any_models_with_400()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        using var client = gateway.HttpClient();
        using var form = new MultipartFormDataContent { { new StringContent(new string('s', 257)), "model" } };
        var file = new ByteArrayContent("hello"u8.ToArray());
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        form.Add(file, "file", "hello.wav");

        using var response = await client.PostAsync("/v1/audio/transcriptions", form, Ct);
        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);

        Assert.Equal("model", (string?)error["param"]);
        Assert.Equal("'model' is longer than 256 characters: no model has such an id.", (string?)error["message"]);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Refuses_a_body_that_is_not_multipart()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/audio/transcriptions", Requests.Json("""{"model":"stt"}"""), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("file", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!["param"]);
    }

    [Fact]
    public async Task Refuses_an_upload_over_the_body_limit_with_413()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, config => config["limits"] = new JsonObject { ["maxBodyBytes"] = 100_000 });
        using var client = gateway.HttpClient();
        using var form = new MultipartFormDataContent { { new StringContent("stt"), "model" } };
        var file = new ByteArrayContent(new byte[300_000]);
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        form.Add(file, "file", "big.wav");

        using var response = await client.PostAsync("/v1/audio/transcriptions", form, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request_too_large", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!["code"]);
    }

    [Theory]
    [InlineData("/v1/images/generations", """{"model":"gpt-test","prompt":"x"}""", "/v1/chat/completions")]
    [InlineData("/v1/chat/completions", """{"model":"img","messages":[{"role":"user","content":"x"}]}""", "/v1/images/generations")]
    [InlineData("/v1/audio/speech", """{"model":"gpt-test","input":"x","voice":"alloy"}""", "/v1/chat/completions")]
    public async Task Names_the_surface_to_use_when_a_model_is_on_the_wrong_one(string path, string body, string route)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync(path, Requests.Json(body), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(route, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Charges_each_media_kind_in_its_own_unit_to_the_ledger_and_the_key()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, config =>
        {
            foreach (var model in config["models"]!.AsArray())
            {
                var pricing = (string?)model!["id"] switch
                {
                    "tts" => new JsonObject { ["perMCharacters"] = 15 },
                    "stt" => new JsonObject { ["perAudioSecond"] = 0.0001 },
                    _ => null,
                };
                if (pricing is not null)
                {
                    model["pricing"] = pricing;
                }
            }
        });
        var (id, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "media", ["credits"] = 10 });
        upstream.EnqueueJson("""{"created":1,"data":[{"url":"https://img.example/1.png"},{"url":"https://img.example/2.png"}]}""");
        upstream.Enqueue(async (context, _) =>
        {
            context.Response.ContentType = "audio/mpeg";
            await context.Response.Body.WriteAsync(new byte[100], context.RequestAborted);
        });
        upstream.EnqueueJson("""{"text":"hi","duration":120.0}""");
        using var client = gateway.HttpClient(secret);
        using var form = new MultipartFormDataContent { { new StringContent("stt"), "model" }, { new StringContent("verbose_json"), "response_format" } };
        var file = new ByteArrayContent(new byte[1000]);
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        form.Add(file, "file", "a.wav");

        using var images = await client.PostAsync("/v1/images/generations", Requests.Json("""{"model":"img","prompt":"two","n":2,"size":"1024x1024","quality":"hd"}"""), Ct);
        using var speech = await client.PostAsync("/v1/audio/speech", Requests.Json($$$"""{"model":"tts","voice":"alloy","input":"{{{new string('x', 2000)}}}"}"""), Ct);
        using var transcription = await client.PostAsync("/v1/audio/transcriptions", form, Ct);
        JsonArray rows = [];
        for (var i = 0; i < 50 && rows.Count < 3; i++)
        {
            await Task.Delay(100, Ct);
            rows = await AdminApi.RequestsAsync(gateway, $"keyId={id}");
        }

        Assert.All(new[] { images, speech, transcription }, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var costs = rows.ToDictionary(r => (string)r!["model"]!, r => (decimal)r!["cost"]!);
        Assert.Equal(0.16m, costs["img"]);
        Assert.Equal(0.03m, costs["tts"]);
        Assert.Equal(0.012m, costs["stt"]);
        var key = await AdminApi.KeyAsync(gateway, id);
        Assert.Equal(0.202m, (decimal)key["credits"]!["spent"]!);
    }

    [Fact]
    public async Task Refuses_images_the_credits_cannot_cover_before_calling_the_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        var (_, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "poor", ["credits"] = 0.1 });
        using var client = gateway.HttpClient(secret);

        // Three 1024x1024 images at 0.04 each: 0.12, more than the 0.1 the key has.
        using var response = await client.PostAsync("/v1/images/generations", Requests.Json("""{"model":"img","prompt":"three","n":3,"size":"1024x1024"}"""), Ct);

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        Assert.Empty(upstream.Requests);
    }

    private static async Task<Dictionary<string, byte[]>> ParseMultipartAsync(RecordedRequest request)
    {
        var boundary = Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(Microsoft.Net.Http.Headers.MediaTypeHeaderValue.Parse(request.Header("content-type")).Boundary).Value!;
        var reader = new MultipartReader(boundary, new MemoryStream(request.Body));
        var parts = new Dictionary<string, byte[]>();
        while (await reader.ReadNextSectionAsync(Ct) is { } section)
        {
            using var buffer = new MemoryStream();
            await section.Body.CopyToAsync(buffer, Ct);
            parts[section.GetContentDispositionHeader()!.Name.Value!] = buffer.ToArray();
        }

        return parts;
    }

    /// <summary>A multipart upload (model first, then a large file) that stops after its first megabyte until <c>gate</c> opens.</summary>
    private sealed class GatedUploadContent : HttpContent
    {
        private const string Boundary = "gated-upload";
        private readonly long _totalFileBytes;
        private readonly Task _gate;

        public GatedUploadContent(long totalFileBytes, Task gate)
        {
            _totalFileBytes = totalFileBytes;
            _gate = gate;
            Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        }

        public bool WaitedForUpstream { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nstt\r\n--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"long.wav\"\r\nContent-Type: audio/wav\r\n\r\n"));
            var chunk = new byte[256 * 1024];
            long sent = 0;
            while (sent < _totalFileBytes)
            {
                await stream.WriteAsync(chunk);
                await stream.FlushAsync();
                sent += chunk.Length;
                if (sent >= 2 * 1024 * 1024 && !WaitedForUpstream)
                {
                    await _gate.WaitAsync(TimeSpan.FromSeconds(15));
                    WaitedForUpstream = true;
                }
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n"));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
