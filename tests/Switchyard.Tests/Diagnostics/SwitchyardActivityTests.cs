using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Diagnostics;

public sealed class SwitchyardActivityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<GatewayInstance> StartAsync(FakeUpstream upstream) =>
        GatewayInstance.StartWithOpenAIAsync(upstream, config => config["routing"] = new JsonObject { ["backoffMilliseconds"] = 5 });

    [Fact]
    public async Task A_translated_stream_with_one_retry_is_a_request_span_with_two_attempt_spans()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var clientSpan = ActivitySpanId.CreateRandom();
        using var recorder = new ActivityRecorder(traceId);
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        upstream.EnqueueJson("""{"error":{"message":"try again","type":"server_error"}}""", 500);
        upstream.EnqueueSse(UpstreamAnswers.TextStream("Hello", " world"));
        using var http = gateway.HttpClient(key: null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = Requests.Json("""{"model":"gpt-test","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]}"""),
        };
        request.Headers.Add("x-api-key", GatewayInstance.UserKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        request.Headers.Add("traceparent", $"00-{traceId}-{clientSpan}-01");

        using var response = await http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var spans = await recorder.WaitForAsync(3, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("message_stop", text, StringComparison.Ordinal);
        Assert.Equal(3, spans.Count);
        var root = Assert.Single(spans, s => s.Kind == ActivityKind.Internal);
        Assert.Equal("chat gpt-test", root.DisplayName);
        Assert.Equal(traceId, root.TraceId);
        Assert.Equal("chat", root.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("gpt-test", root.GetTagItem("gen_ai.request.model"));
        Assert.Equal("gpt-upstream", root.GetTagItem("gen_ai.response.model"));
        Assert.Equal("openai", root.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(7L, root.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(2L, root.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), root.GetTagItem("switchyard.request_id"));
        Assert.Equal("messages", root.GetTagItem("switchyard.surface"));
        Assert.Equal(200, root.GetTagItem("http.response.status_code"));
        Assert.Equal(2, root.GetTagItem("switchyard.attempts"));
        Assert.Equal(true, root.GetTagItem("switchyard.stream"));
        Assert.NotEqual(ActivityStatusCode.Error, root.Status);

        var attempts = spans.Where(s => s.Kind == ActivityKind.Client).OrderBy(s => s.GetTagItem("switchyard.attempt")).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, attempt =>
        {
            Assert.Equal(root.SpanId, attempt.ParentSpanId);
            Assert.Equal("chat gpt-upstream", attempt.DisplayName);
            Assert.Equal("chat", attempt.GetTagItem("gen_ai.operation.name"));
            Assert.Equal("gpt-upstream", attempt.GetTagItem("gen_ai.request.model"));
            Assert.Equal("openai", attempt.GetTagItem("gen_ai.provider.name"));
            Assert.Equal("oai/gpt-upstream", attempt.GetTagItem("switchyard.deployment"));
        });
        Assert.Equal([1, 2], attempts.Select(a => (int)a.GetTagItem("switchyard.attempt")!));
        Assert.Equal("failure", attempts[0].GetTagItem("switchyard.outcome"));
        Assert.Equal("upstream_failed", attempts[0].GetTagItem("error.type"));
        Assert.Equal(500, attempts[0].GetTagItem("http.response.status_code"));
        Assert.Equal(ActivityStatusCode.Error, attempts[0].Status);
        Assert.Equal("success", attempts[1].GetTagItem("switchyard.outcome"));
        Assert.Equal(2L, attempts[1].GetTagItem("gen_ai.usage.output_tokens"));

        // Each upstream call carries its own attempt span as the parent, in the client's trace.
        var sent = upstream.Requests.Select(r => r.Header("traceparent")).ToList();
        Assert.Equal([$"00-{traceId}-{attempts[0].SpanId}-01", $"00-{traceId}-{attempts[1].SpanId}-01"], sent);
    }

    [Fact]
    public async Task The_clients_trace_reaches_the_upstream()
    {
        var traceId = ActivityTraceId.CreateRandom();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("ok"));
        using var http = gateway.HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Requests.Json("""{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}"""),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        request.Headers.Add("tracestate", "vendor=abc");

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var traceparent = upstream.LastRequest.Header("traceparent");
        Assert.NotNull(traceparent);
        Assert.True(ActivityContext.TryParse(traceparent, upstream.LastRequest.Header("tracestate"), out var context), traceparent);
        Assert.Equal(traceId, context.TraceId);
        Assert.Equal("vendor=abc", context.TraceState);
    }

    [Fact]
    public async Task A_request_the_gateway_refuses_is_one_span_with_its_status_and_no_attempts()
    {
        var traceId = ActivityTraceId.CreateRandom();
        using var recorder = new ActivityRecorder(traceId);
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        using var http = gateway.HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Requests.Json("""{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}"""),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        using var response = await http.SendAsync(request, Ct);
        var spans = await recorder.WaitForAsync(1, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var span = Assert.Single(spans);
        Assert.Equal(404, span.GetTagItem("http.response.status_code"));
        Assert.Equal(0, span.GetTagItem("switchyard.attempts"));
        Assert.Null(span.GetTagItem("gen_ai.request.model"));
        Assert.Empty(upstream.Requests);
    }
}
