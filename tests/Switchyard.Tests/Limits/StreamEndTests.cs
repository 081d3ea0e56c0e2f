using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Limits;

/// <summary>
/// The end of a stream as a client sees it: the moment it reads the last event its key's slot is
/// free for its next request, and leaving right then is not "leaving early" (status 499) — even
/// while the upstream has not closed its side yet. Passthrough (Chat → OpenAI) and translated
/// (Messages → OpenAI, and Responses → OpenAI, whose <c>response.completed</c> goes out before the upstream's <c>[DONE]</c>).
/// </summary>
public sealed class StreamEndTests
{
    private const string Whole = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}""";

    /// <summary>How long the upstream takes between its usage chunk and its <c>[DONE]</c>, and between that and its close.</summary>
    private static readonly TimeSpan UpstreamLingers = TimeSpan.FromMilliseconds(500);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>The route, its streamed body, and the line that ends its stream for the client.</summary>
    private static (string Path, string Body, string LastLine) Route(string path) => path switch
    {
        "passthrough" => ("/v1/chat/completions", """{"model":"gpt-test","max_tokens":50,"messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}""", "data: [DONE]"),
        "responses" => ("/v1/responses", """{"model":"gpt-test","max_output_tokens":50,"stream":true,"input":"hi"}""", "event: response.completed"),
        _ => ("/v1/messages", """{"model":"gpt-test","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", "event: message_stop"),
    };

    /// <summary>
    /// A whole stream with usage, its <c>[DONE]</c> sent <paramref name="beforeDone"/> after the usage chunk and the
    /// connection held open <paramref name="afterDone"/> after that; the task returned completes when the gateway closed the connection first.
    /// </summary>
    private static Task EnqueueLingeringStream(FakeUpstream upstream, TimeSpan beforeDone, TimeSpan afterDone)
    {
        var gatewayLeft = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        upstream.Enqueue(async (context, _) =>
        {
            using var left = context.RequestAborted.Register(() => gatewayLeft.TrySetResult());
            context.Response.ContentType = "text/event-stream";
            var frames = UpstreamAnswers.TextStream("all", "of", "it");
            foreach (var frame in frames[..^1])
            {
                await context.Response.WriteAsync(frame + "\n\n", context.RequestAborted);
            }

            // OpenAI's last chunk (usage) can come a while before its [DONE], and [DONE] a while before the close.
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(beforeDone, context.RequestAborted);
            await context.Response.WriteAsync(frames[^1] + "\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(afterDone, context.RequestAborted);
        });
        return gatewayLeft.Task;
    }

    /// <summary>Reads the stream up to the line that ends it for the client, and returns the lines read.</summary>
    private static async Task<List<string>> ReadToEndMarkerAsync(HttpResponseMessage response, string lastLine)
    {
        var lines = new List<string>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Cancel));
        while (await reader.ReadLineAsync(Cancel) is { } line)
        {
            lines.Add(line);
            if (line == lastLine)
            {
                return lines;
            }
        }

        throw new Xunit.Sdk.XunitException($"The stream ended without '{lastLine}': {string.Join('\n', lines)}");
    }

    [Theory]
    [InlineData("passthrough", TestStorage.Sqlite)]
    [InlineData("passthrough", TestStorage.Postgres)]
    [InlineData("translated", TestStorage.Sqlite)]
    [InlineData("translated", TestStorage.Postgres)]
    [InlineData("responses", TestStorage.Sqlite)]
    public async Task A_key_at_max_concurrent_is_served_the_moment_its_stream_has_ended(string path, string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        _ = EnqueueLingeringStream(upstream, UpstreamLingers, UpstreamLingers);
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("next"));
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, storage.Apply);
        var (_, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "one-at-a-time", ["maxConcurrent"] = 1 });
        using var client = gateway.HttpClient(secret);
        var (route, body, lastLine) = Route(path);

        using var stream = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, route) { Content = Requests.Json(body) },
            HttpCompletionOption.ResponseHeadersRead, Cancel);
        var lines = await ReadToEndMarkerAsync(stream, lastLine);
        var ended = DateTime.UtcNow;
        using var next = await client.PostAsync("/v1/chat/completions", Requests.Json(Whole), Cancel);
        var waited = DateTime.UtcNow - ended;

        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal(lastLine, lines[^1]);
        // Refused for the slot, it waited for the stream that was handing it back instead of a 429.
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        // Still refused after the limiter's 2 s wait for finishing streams, it would be a 429: served
        // means the slot came back within the wait; the bound allows a loaded machine's latency.
        Assert.True(waited < TimeSpan.FromSeconds(4), $"waited {waited}");
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Theory]
    [InlineData("passthrough")]
    [InlineData("translated")]
    [InlineData("responses")]
    public async Task A_client_that_leaves_once_its_stream_has_ended_is_logged_and_charged_as_served(string path)
    {
        await using var storage = await TestStorage.CreateAsync(TestStorage.Sqlite);
        await using var upstream = await FakeUpstream.StartAsync();
        var gatewayLeft = EnqueueLingeringStream(upstream, UpstreamLingers, TimeSpan.FromSeconds(30));
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
        {
            storage.Apply(config);
            config["models"]![0]!["pricing"] = new JsonObject { ["inputPerMTok"] = 0, ["outputPerMTok"] = 1_000_000 };
        });
        var (keyId, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "quick-leaver", ["credits"] = 100 });
        var (route, body, lastLine) = Route(path);

        // No draining of the rest on dispose: the connection closes the moment the client is done.
        using (var client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = new Uri(gateway.BaseUrl) })
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", secret);
            using var stream = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, route) { Content = Requests.Json(body) },
                HttpCompletionOption.ResponseHeadersRead, Cancel);
            await ReadToEndMarkerAsync(stream, lastLine);
        }

        var row = Assert.Single(await AdminApi.RequestsAsync(gateway, $"keyId={keyId}", atLeast: 1))!;
        var key = await AdminApi.KeyAsync(gateway, keyId);

        Assert.Equal(200, (int?)row["status"]);
        // TextStream reports 7 prompt tokens and one completion token per piece: the upstream's usage, not an estimate.
        Assert.Equal(7, (int?)row["inputTokens"]);
        Assert.Equal(3, (int?)row["outputTokens"]);
        Assert.Equal(3m, (decimal?)key["credits"]!["spent"]);
        // The gateway stopped waiting for the upstream when its client left.
        await gatewayLeft.WaitAsync(TimeSpan.FromSeconds(10), Cancel);
    }
}
