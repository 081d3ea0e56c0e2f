using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Forwarding;

/// <summary>
/// Each attempt of a translated request works on its own copy of the neutral request; a translated
/// stream writes what the upstream has already sent in one write.
/// </summary>
public sealed class TranslatingForwarderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_fallback_model_does_not_inherit_the_first_models_output_cap()
    {
        await using var first = await FakeUpstream.StartAsync();
        await using var second = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartAsync(config =>
        {
            config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "a", ["type"] = "anthropic", ["baseUrl"] = first.BaseUrl, ["apiKey"] = GatewayInstance.UpstreamKey, ["retries"] = 0 });
            config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "b", ["type"] = "anthropic", ["baseUrl"] = second.BaseUrl, ["apiKey"] = GatewayInstance.UpstreamKey, ["retries"] = 0 });
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "capped", ["provider"] = "a", ["maxOutputTokens"] = 1000, ["fallbacks"] = new JsonArray("uncapped") });
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "uncapped", ["provider"] = "b" });
            config["routing"] = new JsonObject { ["backoffMilliseconds"] = 1 };
        });
        first.EnqueueJson(AnthropicAnswers.Error("api_error", "down"), 500);
        second.EnqueueJson(AnthropicAnswers.Text("from the fallback"));
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync("/v1/chat/completions",
            Requests.Json("""{"model":"capped","messages":[{"role":"user","content":"hi"}]}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("from the fallback", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(1000, (int)first.LastRequest.Json["max_tokens"]!);
        Assert.Equal(4096, (int)second.LastRequest.Json["max_tokens"]!);
    }

    /// <summary>An upstream that never ends its event must not grow the gateway's memory without bound on a translated stream either.</summary>
    [Fact]
    public async Task Ends_the_stream_with_an_error_event_when_an_upstream_event_outgrows_the_limit()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.Default = (context, _) => FakeUpstream.WriteUnendingEventAsync(
            context, UpstreamAnswers.Chunk("""{"role":"assistant","content":"Hel"}"""), 2L * Dialects.Sse.SseRelay.MaxFrameBytes);

        var body = string.Concat(await PostReadingChunksAsync(gateway, "/v1/messages",
            """{"model":"gpt-test","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}"""));

        var events = body.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l[6..])!).ToList();
        Assert.Contains(events, e => (string?)e["delta"]?["text"] == "Hel");
        Assert.Equal("error", (string?)events[^1]["type"]);
        Assert.Contains("larger than the gateway's limit", (string?)events[^1]["error"]!["message"]);
    }

    [Fact]
    public async Task Events_of_one_upstream_read_reach_the_client_in_one_write()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        string[] words = ["Load", " testing", " shows", " how", " a", " system", " behaves"];
        upstream.Enqueue(async (context, _) =>
        {
            // The whole answer in one write: the gateway's first read holds every chunk.
            context.Response.ContentType = "text/event-stream";
            string[] frames = [UpstreamAnswers.Chunk("""{"role":"assistant","content":""}"""), .. words.Select(w => UpstreamAnswers.Chunk($$"""{"content":"{{w}}"}""")),
                UpstreamAnswers.Chunk("{}", "stop"), UpstreamAnswers.UsageChunk(12, 7), "data: [DONE]"];
            await context.Response.WriteAsync(string.Concat(frames.Select(f => f + "\n\n")), context.RequestAborted);
        });

        var chunks = await PostReadingChunksAsync(gateway, "/v1/messages",
            """{"model":"gpt-test","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        var body = string.Concat(chunks);
        Assert.Equal(string.Concat(words), string.Concat(body.Split('\n')
            .Where(l => l.StartsWith("data: ", StringComparison.Ordinal))
            .Select(l => JsonNode.Parse(l[6..])!)
            .Where(e => (string?)e["delta"]?["type"] == "text_delta")
            .Select(e => (string)e["delta"]!["text"]!)));
        Assert.EndsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", body, StringComparison.Ordinal);
        // Written an event at a time, these events were a dozen HTTP chunks (and as many system
        // calls); gathered, one (two should the gateway's read split the upstream's write).
        Assert.InRange(chunks.Count, 1, 2);
    }

    [Fact]
    public async Task A_burst_is_written_in_pieces_of_bounded_size()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var words = Enumerable.Range(0, 400).Select(i => $" word{i:D3}-" + new string('x', 80)).ToArray();
        upstream.Enqueue(async (context, _) =>
        {
            // ~50 KB of answer in one write: gathering must not hold it all before writing.
            context.Response.ContentType = "text/event-stream";
            string[] frames = [UpstreamAnswers.Chunk("""{"role":"assistant","content":""}"""), .. words.Select(w => UpstreamAnswers.Chunk($$"""{"content":"{{w}}"}""")),
                UpstreamAnswers.Chunk("{}", "stop"), UpstreamAnswers.UsageChunk(12, 400), "data: [DONE]"];
            await context.Response.WriteAsync(string.Concat(frames.Select(f => f + "\n\n")), context.RequestAborted);
        });

        var chunks = await PostReadingChunksAsync(gateway, "/v1/messages",
            """{"model":"gpt-test","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Contains(string.Concat(words), string.Concat(string.Concat(chunks).Split('\n')
            .Where(l => l.StartsWith("data: ", StringComparison.Ordinal))
            .Select(l => JsonNode.Parse(l[6..])!)
            .Where(e => (string?)e["delta"]?["type"] == "text_delta")
            .Select(e => (string)e["delta"]!["text"]!)), StringComparison.Ordinal);
        Assert.True(chunks.Count > 1, $"{chunks.Count} chunk(s)");
        // Sent once 8 KB have gathered: no write is more than that plus one event.
        Assert.All(chunks, c => Assert.InRange(c.Length, 1, 8 * 1024 + 512));
    }

    /// <summary>Posts with <see cref="GatewayInstance.UserKey"/> over a raw connection and returns the chunked body's chunks as sent.</summary>
    private static async Task<List<string>> PostReadingChunksAsync(GatewayInstance gateway, string path, string json)
    {
        var uri = new Uri(gateway.BaseUrl);
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port, Ct);
        var stream = client.GetStream();
        var body = Encoding.UTF8.GetBytes(json);
        var head = $"POST {path} HTTP/1.1\r\nHost: {uri.Authority}\r\nx-api-key: {GatewayInstance.UserKey}\r\nanthropic-version: 2023-06-01\r\n"
            + $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);
        await stream.WriteAsync(body, Ct);

        using var all = new MemoryStream();
        await stream.CopyToAsync(all, Ct);
        var text = Encoding.UTF8.GetString(all.ToArray());
        var headersEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", text, StringComparison.Ordinal);
        Assert.Contains("Transfer-Encoding: chunked", text[..headersEnd], StringComparison.OrdinalIgnoreCase);

        var chunks = new List<string>();
        var at = headersEnd + 4;
        while (true)
        {
            var lineEnd = text.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(text[at..lineEnd], 16);
            if (size == 0)
            {
                return chunks;
            }

            // Sizes count bytes; the body is ASCII apart from what JSON escapes.
            chunks.Add(text.Substring(lineEnd + 2, size));
            at = lineEnd + 2 + size + 2;
        }
    }
}
