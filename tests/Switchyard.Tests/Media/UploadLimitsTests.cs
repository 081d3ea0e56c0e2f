using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Media;

/// <summary>
/// A transcription upload is bounded as a whole — total size, parts, each field — and a broken one
/// is the client's 4xx naming the problem, whether it is found before the file or while the file
/// is already streaming to the upstream; never a 502 and never a 500.
/// </summary>
public sealed class UploadLimitsTests
{
    private const string Boundary = "upload-limits";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<GatewayInstance> StartAsync(FakeUpstream upstream, long maxBodyBytes = 1_000_000, double minBodyBytesPerSecond = 1024) =>
        GatewayInstance.StartWithOpenAIAsync(upstream, config =>
        {
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "stt", ["provider"] = "oai", ["model"] = "whisper-upstream", ["kind"] = "audio" });
            config["limits"] = new JsonObject { ["maxBodyBytes"] = maxBodyBytes, ["minBodyBytesPerSecond"] = minBodyBytesPerSecond };
            config["media"] = new JsonObject { ["maxUploadFields"] = 4, ["maxUploadFieldBytes"] = 100 };
        });

    [Fact]
    public async Task Refuses_a_chunked_upload_over_the_body_limit_with_413_while_it_streams()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, maxBodyBytes: 200_000);
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/audio/transcriptions", Chunked(Field("model", "stt") + FileHeader(), new byte[500_000], Closing()), Ct);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.RequestEntityTooLarge, "invalid_request_error", "request_too_large");
        Assert.Contains("200000 bytes", (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Refuses_more_parts_than_media_max_upload_fields()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        using var client = gateway.HttpClient();
        var fields = string.Concat(Enumerable.Range(0, 5).Select(i => Field($"x{i}", "1")));

        using var response = await client.PostAsync("/v1/audio/transcriptions", Chunked(fields + Field("model", "stt") + FileHeader(), new byte[100], Closing()), Ct);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Equal("The upload has more than 4 parts.", (string?)error["message"]);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Refuses_extra_parts_after_the_file_as_a_400_not_an_upstream_failure()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        using var client = gateway.HttpClient();
        var after = string.Concat(Enumerable.Range(0, 4).Select(i => Field($"x{i}", "1")));

        using var response = await client.PostAsync("/v1/audio/transcriptions",
            Chunked(Field("model", "stt") + FileHeader(), new byte[100], "\r\n" + after + $"--{Boundary}--\r\n"), Ct);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Equal("The upload has more than 4 parts.", (string?)error["message"]);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Refuses_a_field_over_media_max_upload_field_bytes_naming_it()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/audio/transcriptions",
            Chunked(Field("model", "stt") + Field("prompt", new string('p', 101)) + FileHeader(), new byte[100], Closing()), Ct);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Equal("prompt", (string?)error["param"]);
        Assert.Equal("The field 'prompt' is longer than the gateway's limit of 100 bytes.", (string?)error["message"]);
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Answers_a_body_truncated_before_its_closing_boundary_with_400(bool modelFirst)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        using var client = gateway.HttpClient();
        var head = modelFirst ? Field("model", "stt") + FileHeader() : FileHeader();

        // The model first: the file is already streaming upstream when the body ends. After the file: it is spooled first.
        using var response = await client.PostAsync("/v1/audio/transcriptions", Chunked(head, new byte[50_000], tail: ""), Ct);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.Equal("The multipart body is truncated: it ended before its closing boundary.", (string?)error["message"]);
        Assert.Equal("file", (string?)error["param"]);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Answers_malformed_part_headers_with_400_naming_the_problem()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        using var client = gateway.HttpClient();
        var headers = string.Concat(Enumerable.Range(0, 20).Select(i => $"X-H{i}: v\r\n"));
        var body = $"--{Boundary}\r\n{headers}Content-Disposition: form-data; name=\"model\"\r\n\r\nstt\r\n--{Boundary}--\r\n";

        using var response = await client.PostAsync("/v1/audio/transcriptions", Chunked(body, [], tail: ""), Ct);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", null);
        Assert.StartsWith("The multipart body is malformed: ", (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Still_relays_an_upload_within_every_limit()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        upstream.EnqueueJson("""{"text":"fine"}""");
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/audio/transcriptions",
            Chunked(Field("model", "stt") + Field("prompt", new string('p', 100)) + FileHeader(), new byte[1000], Closing()), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(new string('p', 100), upstream.LastRequest.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Relays_a_hostile_file_name_as_one_quoted_parameter()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        upstream.EnqueueJson("""{"text":"fine"}""");
        using var client = gateway.HttpClient();
        var head = Field("model", "stt")
            + $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''a%22%3B%20name%3D%22model.wav\r\nContent-Type: audio/wav\r\n\r\n";

        using var response = await client.PostAsync("/v1/audio/transcriptions", Chunked(head, new byte[100], Closing()), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var boundary = Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(Microsoft.Net.Http.Headers.MediaTypeHeaderValue.Parse(upstream.LastRequest.Header("content-type")).Boundary).Value!;
        var reader = new Microsoft.AspNetCore.WebUtilities.MultipartReader(boundary, new MemoryStream(upstream.LastRequest.Body));
        var names = new List<string?>();
        var files = new List<string?>();
        while (await reader.ReadNextSectionAsync(Ct) is { } section)
        {
            var disposition = Microsoft.Net.Http.Headers.ContentDispositionHeaderValue.Parse(section.ContentDisposition);
            names.Add(disposition.Name.Value);
            files.Add(disposition.FileName.HasValue ? Microsoft.Net.Http.Headers.HeaderUtilities.UnescapeAsQuotedString(disposition.FileName).Value : null);
        }

        Assert.Equal(["model", "file"], names);
        Assert.Equal([null, "a\"; name=\"model.wav"], files);
    }

    [Fact]
    public async Task Cuts_an_upload_slower_than_the_minimum_rate_with_a_408()
    {
        // 1,000 bytes a second: above the server's own minimum (240), below the configured one.
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, minBodyBytesPerSecond: 5000);
        var head = Encoding.ASCII.GetBytes(Field("model", "stt") + FileHeader());
        var tail = Encoding.ASCII.GetBytes(Closing());
        const int chunks = 30;
        var uri = new Uri(gateway.BaseUrl);
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port, Ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /v1/audio/transcriptions HTTP/1.1\r\nHost: {uri.Authority}\r\nAuthorization: Bearer {GatewayInstance.UserKey}\r\n"
            + $"Content-Type: multipart/form-data; boundary={Boundary}\r\nContent-Length: {head.Length + (chunks * 500) + tail.Length}\r\n\r\n"), Ct);
        await stream.WriteAsync(head, Ct);

        // The gateway answers and closes while the upload is still coming: the writes may then fail.
        var sending = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < chunks; i++)
                {
                    await Task.Delay(500, Ct);
                    await stream.WriteAsync(new byte[500], Ct);
                }
            }
            catch (Exception exception) when (exception is IOException or ObjectDisposedException)
            {
            }
        }, Ct);
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        int read;
        while (!answer.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && (read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        client.Close();
        await sending;
        Assert.StartsWith("HTTP/1.1 408", answer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_minimum_rate_of_zero_lets_an_upload_slower_than_any_rate_finish()
    {
        // 10 bytes in 7 s: below the server's own minimum too, which 0 turns off as well.
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, minBodyBytesPerSecond: 0);
        upstream.EnqueueJson("""{"text":"fine"}""");
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/audio/transcriptions",
            Paced(Field("model", "stt") + FileHeader(), [new byte[10], new byte[10]], TimeSpan.FromSeconds(7), Closing()), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(upstream.Requests);
    }

    private static string Field(string name, string value) => $"--{Boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n";

    private static string FileHeader() => $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n";

    private static string Closing() => $"\r\n--{Boundary}--\r\n";

    /// <summary>A multipart body sent chunked (no Content-Length), so only the gateway's own counting can bound it.</summary>
    private static StreamContent Chunked(string head, byte[] file, string tail)
    {
        var bytes = Encoding.ASCII.GetBytes(head).Concat(file).Concat(Encoding.ASCII.GetBytes(tail)).ToArray();
        var content = new StreamContent(new NonSeekableStream(bytes));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        return content;
    }

    /// <summary>A multipart body sent chunked: the head, then each chunk after <paramref name="gap"/>, then the tail.</summary>
    private static PacedContent Paced(string head, byte[][] chunks, TimeSpan gap, string tail)
    {
        var content = new PacedContent(Encoding.ASCII.GetBytes(head), chunks, gap, Encoding.ASCII.GetBytes(tail));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        return content;
    }

    private sealed class PacedContent(byte[] head, byte[][] chunks, TimeSpan gap, byte[] tail) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(head, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            foreach (var chunk in chunks)
            {
                await Task.Delay(gap, cancellationToken);
                await stream.WriteAsync(chunk, cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }

            await stream.WriteAsync(tail, cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>A stream with no length, so HttpClient sends it chunked.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
