using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Switchyard.Dialects.Sse;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Forwarding;

/// <summary>OpenAI client to OpenAI-compatible upstream: bytes pass through, only the contract's edits are made.</summary>
public sealed class PassthroughForwarderTests
{
    private const string OddRequest = """
        {
          "model" :   "gpt-test",
          "messages": [ {"role":"user",   "content":"hi \u00e9"} ],
          "logit_bias" : {"50256" : -100},
          "custom_vendor_field":{"x":[1,2]},
          "strict_params": false,
          "temperature" : 0.5 ,
          "seed":7,
          "service_tier":"flex"
        }
        """;

    [Fact]
    public async Task Forwards_unknown_fields_byte_for_byte_and_rewrites_only_the_model()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("ok"));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(OddRequest), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = RawJson.TopLevel(OddRequest)
            .Where(p => p.Key != "strict_params")
            .Select(p => p.Key == "model" ? new KeyValuePair<string, string>("model", "\"gpt-upstream\"") : p);
        Assert.Equal(expected, RawJson.TopLevel(upstream.LastRequest.Body));
    }

    [Fact]
    public async Task Sends_the_client_bytes_unchanged_when_nothing_needs_rewriting()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "gpt-same", ["provider"] = "oai" }));
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("ok"));
        using var http = gateway.HttpClient();
        var body = OddRequest.Replace("gpt-test", "gpt-same", StringComparison.Ordinal).Replace("\"strict_params\": false,", "", StringComparison.Ordinal);

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(body), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Encoding.UTF8.GetBytes(body), upstream.LastRequest.Body);
    }

    [Fact]
    public async Task Forces_include_usage_on_for_streams_and_keeps_other_stream_options()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueSse(UpstreamAnswers.TextStream("a"));
        using var http = gateway.HttpClient();
        const string request = """{"model":"gpt-test","stream":true,"stream_options":{"include_usage":false,"vendor_option":[1, 2]},"custom_vendor_field":{"x":[1,2]},"messages":[{"role":"user","content":"hi"}]}""";

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(request), TestContext.Current.CancellationToken);
        await SseEvents.ReadDataAsync(response);

        var sent = RawJson.TopLevel(upstream.LastRequest.Body);
        var expected = RawJson.TopLevel(request).Where(p => p.Key is not "model" and not "stream_options");
        Assert.Equal(expected, sent.Where(p => p.Key is not "model" and not "stream_options"));
        Assert.Equal(["model", "stream", "stream_options", "custom_vendor_field", "messages"], sent.Select(p => p.Key));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"include_usage":true,"vendor_option":[1,2]}"""),
            upstream.LastRequest.Json["stream_options"]));
    }

    [Fact]
    public async Task Adds_stream_options_when_a_streaming_client_sent_none()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueSse(UpstreamAnswers.TextStream("a"));
        using var http = gateway.HttpClient();
        const string request = """{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}""";

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(request), TestContext.Current.CancellationToken);
        await SseEvents.ReadDataAsync(response);

        var sent = upstream.LastRequest.Json;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"include_usage":true}"""), sent["stream_options"]));
        Assert.True((bool?)sent["stream"]);
        Assert.Equal("gpt-upstream", (string?)sent["model"]);
    }

    [Fact]
    public async Task Relays_the_upstream_answer_unchanged_except_the_model()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        const string answer = """
            { "id":"chatcmpl-odd", "object":"chat.completion", "created":1700000000, "model":"gpt-upstream-2025-01-01",
              "system_fingerprint" : "fp_abc", "service_tier":"default",
              "choices":[{"index":0,"message":{"role":"assistant","content":"Hi","refusal":null,"annotations":[]},"logprobs":{"content":[{"token":"Hi","logprob":-0.1,"bytes":[72,105],"top_logprobs":[]}]},"finish_reason":"stop"}],
              "usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0}},
              "vendor_extension" : {"trace":[1,  2, 3]} }
            """;
        upstream.EnqueueJson(answer);

        await AssertRelayedExceptTheModelAsync(gateway, Encoding.UTF8.GetBytes(answer));
    }

    [Fact]
    public async Task Adds_cost_to_usage_when_the_model_has_pricing()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config => Price(config, input: 2, output: 8, minimum: 0.000001m));
        const string usage = """{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500,"prompt_tokens_details":{"cached_tokens":0}}""";
        upstream.EnqueueJson($$"""{"id":"c","object":"chat.completion","created":1,"model":"gpt-upstream","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{{usage}}}""");
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();

        var received = body["usage"]!.AsObject();
        Assert.Equal(0.006m, (decimal?)received["cost"]);
        received.Remove("cost");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(usage), received));
        Assert.Equal("Hi", (string?)body["choices"]![0]!["message"]!["content"]);
    }

    [Fact]
    public async Task Charges_at_least_the_minimum_charge()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config => Price(config, input: 2, output: 8, minimum: 0.01m));
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("Hi", promptTokens: 1, completionTokens: 1));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        Assert.Equal(0.01m, (decimal?)body["usage"]!["cost"]);
    }

    [Fact]
    public async Task Keeps_the_client_key_from_the_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("ok"));
        upstream.EnqueueSse(UpstreamAnswers.TextStream("ok"));
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("ok"));
        upstream.Enqueue((context, request) => UpstreamAnswers.EmbeddingsAsync(context, request, [1f]));
        using var http = gateway.HttpClient();
        http.DefaultRequestHeaders.Add("x-api-key", GatewayInstance.UserKey);
        http.DefaultRequestHeaders.Add("x-goog-api-key", GatewayInstance.UserKey);
        http.DefaultRequestHeaders.Add("Cookie", "session=" + GatewayInstance.UserKey);
        http.DefaultRequestHeaders.Add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

        using var plain = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        using var streamed = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        await SseEvents.ReadDataAsync(streamed);
        using var translated = await http.PostAsync("/v1/completions", Requests.Json("""{"model":"gpt-test","prompt":"hi"}"""), TestContext.Current.CancellationToken);
        using var embeddings = await http.PostAsync("/v1/embeddings", Requests.Json("""{"model":"embed-test","input":"hi"}"""), TestContext.Current.CancellationToken);

        Assert.All(new[] { plain, streamed, translated, embeddings }, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(4, upstream.Requests.Count);
        Assert.All(upstream.Requests, request =>
        {
            Assert.Equal("Bearer sk-upstream-secret-key-123456", request.Header("authorization"));
            Assert.DoesNotContain(request.Headers, h => h.Value.Contains(GatewayInstance.UserKey, StringComparison.Ordinal));
            Assert.DoesNotContain(GatewayInstance.UserKey, request.BodyText, StringComparison.Ordinal);
            Assert.Null(request.Header("x-api-key"));
            Assert.Null(request.Header("cookie"));
            Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", request.Header("traceparent"));
        });
    }

    [Fact]
    public async Task Never_shows_the_upstream_key_or_address_to_the_client()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("ok"));
        upstream.EnqueueJson(UpstreamAnswers.LeakyError(upstream, "invalid_request_error"), 400);
        upstream.EnqueueJson("""{"error":{"message":"Incorrect API key provided: sk-upstream-secret-key-123456.","type":"invalid_request_error","code":"invalid_api_key"}}""", 401);
        upstream.EnqueueSse([UpstreamAnswers.Chunk("""{"role":"assistant","content":"Hi"}"""), "data: " + UpstreamAnswers.LeakyError(upstream)]);
        using var http = gateway.HttpClient();
        var request = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}""";
        var streamRequest = """{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}""";

        var seen = new List<(HttpStatusCode Status, string Text)>();
        foreach (var body in new[] { request, request, request, streamRequest })
        {
            using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(body), TestContext.Current.CancellationToken);
            var headers = string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => h.Key + ": " + string.Join(",", h.Value)));
            seen.Add((response.StatusCode, headers + "\n" + await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.BadGateway, HttpStatusCode.OK], seen.Select(s => s.Status));
        Assert.All(seen, s => OpenAIErrorAssert.AssertNothingInternal(s.Text));
        Assert.Contains("failed for key", seen[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Relays_every_frame_in_order_and_folds_usage_into_the_finish_chunk()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var frames = UpstreamAnswers.TextStream("The", " quick", " brown", " fox", " jumps");
        upstream.EnqueueSse(frames);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        var data = await SseEvents.ReadDataAsync(response);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        AssertRelayedWithUsageOnFinish(frames, data);
    }

    [Fact]
    public async Task Relays_frames_the_upstream_writes_one_byte_at_a_time()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var frames = UpstreamAnswers.TextStream("split", " into", " bytes");
        upstream.Enqueue(async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            var bytes = Encoding.UTF8.GetBytes(": keep-alive\n\n" + string.Concat(frames.Select(f => f + "\n\n")));
            for (var i = 0; i < bytes.Length; i++)
            {
                await context.Response.Body.WriteAsync(bytes.AsMemory(i, 1), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        });
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        var data = await SseEvents.ReadDataAsync(response);

        AssertRelayedWithUsageOnFinish(frames, data);
    }

    [Fact]
    public async Task Sends_usage_as_its_own_chunk_when_the_client_asked_for_it()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var frames = UpstreamAnswers.TextStream("a", "b");
        upstream.EnqueueSse(frames);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(
            """{"model":"gpt-test","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        var data = await SseEvents.ReadDataAsync(response);

        Assert.Equal(frames.Count, data.Count);
        Assert.Equal("[DONE]", data[^1]);
        var chunks = SseEvents.Chunks(data);
        Assert.All(chunks, c => Assert.Equal("gpt-test", (string?)c["model"]));
        Assert.Empty(chunks[^1]["choices"]!.AsArray());
        Assert.Equal(7, (int?)chunks[^1]["usage"]!["prompt_tokens"]);
        Assert.Equal("stop", (string?)chunks[^2]["choices"]![0]!["finish_reason"]);
        Assert.Null(chunks[^2]["usage"]);
        Assert.Equal(["a", "b"], chunks.Skip(1).SkipLast(2).Select(c => (string?)c["choices"]![0]!["delta"]!["content"]));
    }

    [Fact]
    public async Task Adds_cost_to_streamed_usage_when_the_model_has_pricing()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config => Price(config, input: 1000, output: 2000, minimum: 0));
        upstream.EnqueueSse(UpstreamAnswers.TextStream("a", "b"));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        var chunks = SseEvents.Chunks(await SseEvents.ReadDataAsync(response));

        Assert.Equal(0.011m, (decimal?)chunks[^1]["usage"]!["cost"]);
        Assert.Equal(9, (int?)chunks[^1]["usage"]!["total_tokens"]);
    }

    [Fact]
    public async Task Ends_the_stream_with_an_error_frame_when_the_upstream_sends_an_error()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);

        // vLLM and others follow an in-stream error with [DONE]; the client must not see it after the error.
        upstream.EnqueueSse([
            UpstreamAnswers.Chunk("""{"role":"assistant","content":""}"""),
            UpstreamAnswers.Chunk("""{"content":"Hel"}"""),
            "data: " + UpstreamAnswers.LeakyError(upstream),
            "data: [DONE]",
        ]);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        var data = await SseEvents.ReadDataAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, data.Count);
        Assert.Equal("Hel", (string?)JsonNode.Parse(data[1])!["choices"]![0]!["delta"]!["content"]);
        OpenAIErrorAssert.Envelope(data[^1], "server_error", "upstream_error");
        Assert.DoesNotContain("[DONE]", data);
    }

    [Fact]
    public async Task Ends_the_stream_with_an_error_frame_when_the_upstream_closes_early()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueSse([
            UpstreamAnswers.Chunk("""{"role":"assistant","content":""}"""),
            UpstreamAnswers.Chunk("""{"content":"Hel"}"""),
        ]);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        var data = await SseEvents.ReadDataAsync(response);

        Assert.Equal(3, data.Count);
        OpenAIErrorAssert.Envelope(data[^1], "server_error", "upstream_error");
        Assert.DoesNotContain("[DONE]", data);
    }

    /// <summary>An upstream that never ends its frame must not grow the gateway's memory without bound.</summary>
    [Fact]
    public async Task Ends_the_stream_with_an_error_frame_when_an_upstream_frame_outgrows_the_limit()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.Default = (context, _) => FakeUpstream.WriteUnendingEventAsync(
            context, UpstreamAnswers.Chunk("""{"role":"assistant","content":"Hel"}"""), 2L * SseRelay.MaxFrameBytes);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        var data = await RelayedOneFrameThenErrorAsync(response, "upstream_error");

        Assert.Contains("larger than the gateway's limit", (string?)JsonNode.Parse(data[^1])!["error"]!["message"]);
    }

    [Fact]
    public async Task Ends_the_stream_with_a_timeout_error_frame_when_the_upstream_stalls()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config => ShortTimeout(config));
        upstream.EnqueueSse([UpstreamAnswers.Chunk("""{"role":"assistant","content":"Hel"}"""), UpstreamAnswers.Chunk("""{"content":"lo"}""")], TimeSpan.FromSeconds(5));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        await RelayedOneFrameThenErrorAsync(response, "upstream_timeout");
    }

    /// <summary>The stream's data: the one frame relayed ("Hel"), then the OpenAI error frame with <paramref name="code"/>.</summary>
    private static async Task<IReadOnlyList<string>> RelayedOneFrameThenErrorAsync(HttpResponseMessage response, string code)
    {
        var data = await SseEvents.ReadDataAsync(response);
        Assert.Equal(2, data.Count);
        Assert.Equal("Hel", (string?)JsonNode.Parse(data[0])!["choices"]![0]!["delta"]!["content"]);
        OpenAIErrorAssert.Envelope(data[^1], "server_error", code);
        return data;
    }

    [Fact]
    public async Task Answers_with_an_error_status_when_the_stream_fails_before_any_frame()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.Default = (context, _) => FakeUpstream.WriteSseAsync(context, ["data: " + UpstreamAnswers.LeakyError(upstream)]);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadGateway, "server_error", "upstream_error");
    }

    [Fact]
    public async Task Answers_504_when_a_stream_sends_nothing_in_time()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config => ShortTimeout(config));
        upstream.Default = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
        };
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.GatewayTimeout, "server_error", "upstream_timeout");
    }

    [Fact]
    public async Task Flushes_each_frame_to_the_client_as_it_arrives()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var firstSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var frames = UpstreamAnswers.TextStream("first", "second");
        upstream.Enqueue(async (context, _) =>
        {
            await FakeUpstream.WriteSseAsync(context, frames.Take(2));
            await firstSeen.Task.WaitAsync(TimeSpan.FromSeconds(10), context.RequestAborted);
            foreach (var frame in frames.Skip(2))
            {
                await context.Response.WriteAsync(frame + "\n\n", context.RequestAborted);
            }
        });
        using var http = gateway.HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Requests.Json("""{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"""),
        };

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        await using var events = SseParser.Create(body).EnumerateAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        var early = await NextEventsAsync(events, count: 2, within: TimeSpan.FromSeconds(5));
        firstSeen.SetResult();
        var rest = await NextEventsAsync(events, count: int.MaxValue, within: TimeSpan.FromSeconds(10));

        Assert.Equal("first", (string?)JsonNode.Parse(early[1])!["choices"]![0]!["delta"]!["content"]);
        Assert.Equal("second", (string?)JsonNode.Parse(rest[0])!["choices"]![0]!["delta"]!["content"]);
        Assert.Equal("[DONE]", rest[^1]);
    }

    [Fact]
    public async Task Stops_the_upstream_when_the_client_goes_away()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueSse(UpstreamAnswers.TextStream("a", "b", "c", "d", "e", "f", "g", "h"), TimeSpan.FromSeconds(1));
        using var http = gateway.HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Requests.Json("""{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"""),
        };

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        var read = await body.ReadAsync(new byte[16], TestContext.Current.CancellationToken);
        response.Dispose();
        await WaitUntilAsync(() => upstream.Cancelled > 0, TimeSpan.FromSeconds(5));

        Assert.True(read > 0);
        Assert.Equal(1, upstream.Cancelled);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task Relays_a_frame_larger_than_the_relay_buffer()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var large = new string('x', 200_000);
        upstream.EnqueueSse(UpstreamAnswers.TextStream("a", large, "b"));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        var chunks = SseEvents.Chunks(await SseEvents.ReadDataAsync(response));

        Assert.Equal(["", "a", large, "b", null], chunks.Select(c => (string?)c["choices"]![0]!["delta"]!["content"]));
    }

    [Fact]
    public async Task Reads_escaped_property_names_like_plain_ones()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("ok"));
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(
            """{"mod\u0065l":"gpt-test","strict_p\u0061rams":false,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = upstream.LastRequest.Json;
        Assert.Equal("gpt-upstream", (string?)sent["model"]);
        Assert.False(sent.ContainsKey("strict_params"));
    }

    [Theory]
    [InlineData(300, true)]
    [InlineData(300, false)]
    [InlineData(1_500_000, true)]
    [InlineData(1_500_000, false)]
    public async Task Relays_a_whole_answer_of_any_size_with_or_without_its_length(int textLength, bool withLength)
    {
        // The answer is read into a buffer sized by Content-Length when there is one (up to 1 MiB),
        // grown as it arrives otherwise; here in pieces, each flushed on its own.
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var answer = Encoding.UTF8.GetBytes(UpstreamAnswers.ChatCompletion(new string('é', textLength / 2) + "end"));
        upstream.Enqueue(async (context, _) =>
        {
            context.Response.ContentType = "application/json";
            if (withLength)
            {
                context.Response.ContentLength = answer.Length;
            }

            for (var offset = 0; offset < answer.Length; offset += 7_001)
            {
                await context.Response.Body.WriteAsync(answer.AsMemory(offset, Math.Min(7_001, answer.Length - offset)));
                await context.Response.Body.FlushAsync();
            }
        });

        await AssertRelayedExceptTheModelAsync(gateway, answer);
    }

    /// <summary>A chat request's answer reached the client with every top-level property as the upstream sent it but the model.</summary>
    private static async Task AssertRelayedExceptTheModelAsync(GatewayInstance gateway, byte[] answer)
    {
        using var http = gateway.HttpClient();
        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = RawJson.TopLevel(answer).Select(p => p.Key == "model" ? new KeyValuePair<string, string>("model", "\"gpt-test\"") : p);
        Assert.Equal(expected, RawJson.TopLevel(body));
    }

    [Fact]
    public async Task Answers_502_when_the_upstream_closes_before_the_whole_answer()
    {
        // A hostile or broken upstream announces more than it sends and drops the connection.
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.Default = async (context, _) =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = 10_000;
            await context.Response.Body.WriteAsync("{\"id\":\"chatcmpl-cut\",\"choices\":["u8.ToArray());
            await context.Response.Body.FlushAsync();
            context.Abort();
        };
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadGateway, "server_error", "upstream_error");
    }

    [Fact]
    public async Task Answers_502_when_the_upstream_sends_malformed_json()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, "<html>upstream at 127.0.0.1 broke</html>");
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadGateway, "server_error", "upstream_error");
    }

    /// <summary>
    /// The client saw each upstream frame in order, each identical but for the model, except that
    /// the usage-only chunk the gateway asked for was folded into the finish chunk.
    /// </summary>
    private static void AssertRelayedWithUsageOnFinish(List<string> upstreamFrames, List<string> data)
    {
        var sent = upstreamFrames.Where(f => f.StartsWith("data: {", StringComparison.Ordinal)).Select(f => f["data: ".Length..]).ToList();
        Assert.Equal(sent.Count, data.Count);
        Assert.Equal("[DONE]", data[^1]);
        var chunks = SseEvents.Chunks(data);
        Assert.All(chunks, c => Assert.Equal("gpt-test", (string?)c["model"]));
        Assert.All(chunks, c => Assert.NotEmpty(c["choices"]!.AsArray()));
        for (var i = 0; i < chunks.Count - 1; i++)
        {
            Assert.Equal(WithoutModel(sent[i]), WithoutModel(data[i]));
        }

        var finish = chunks[^1];
        Assert.Equal("stop", (string?)finish["choices"]![0]!["finish_reason"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(sent[^1])!["usage"], finish["usage"]));
        Assert.All(chunks.SkipLast(1), c => Assert.Null(c["usage"]));
    }

    /// <summary>Up to <paramref name="count"/> more events' data; fails if they do not arrive in time.</summary>
    private static async Task<List<string>> NextEventsAsync(IAsyncEnumerator<SseItem<string>> events, int count, TimeSpan within)
    {
        var data = new List<string>();
        while (data.Count < count && await events.MoveNextAsync().AsTask().WaitAsync(within, TestContext.Current.CancellationToken))
        {
            data.Add(events.Current.Data);
        }

        return data;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    private static List<KeyValuePair<string, string>> WithoutModel(string chunk) =>
        RawJson.TopLevel(chunk).Where(p => p.Key != "model").ToList();

    private static void Price(JsonObject config, decimal input, decimal output, decimal minimum) =>
        config["models"]!.AsArray().Single(m => (string?)m!["id"] == "gpt-test")!["pricing"] = new JsonObject
        {
            ["inputPerMTok"] = input,
            ["outputPerMTok"] = output,
            ["minimumCharge"] = minimum,
        };

    private static void ShortTimeout(JsonObject config)
    {
        var provider = config["providers"]!.AsArray().Single(p => (string?)p!["name"] == "oai")!;
        provider["timeoutSeconds"] = 1;
        provider["retries"] = 0;
    }
}
