using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Hosting;

/// <summary><c>X-Request-Id</c> and <c>Server-Timing</c> on every response (docs/behaviour.md).</summary>
public sealed partial class RequestHeadersTests
{
    [Fact]
    public async Task Every_response_carries_its_own_request_id()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueSse(UpstreamAnswers.TextStream("a"));
        using var http = gateway.HttpClient();
        using var anonymous = gateway.HttpClient(key: null);

        using var health = await anonymous.GetAsync("/healthz", TestContext.Current.CancellationToken);
        using var unauthorized = await anonymous.GetAsync("/v1/models", TestContext.Current.CancellationToken);
        using var unknownRoute = await http.GetAsync("/v1/no-such-route", TestContext.Current.CancellationToken);
        using var models = await http.GetAsync("/v1/models", TestContext.Current.CancellationToken);
        using var chat = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"echo","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        using var stream = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        using var invalid = await http.PostAsync("/v1/chat/completions", Requests.Json("{"), TestContext.Current.CancellationToken);

        var responses = new[] { health, unauthorized, unknownRoute, models, chat, stream, invalid };
        var ids = responses.Select(r => Assert.Single(r.Headers.GetValues("X-Request-Id"))).ToList();
        Assert.All(ids, id => Assert.False(string.IsNullOrWhiteSpace(id)));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Echoes_the_client_request_id()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("ok"));
        using var http = gateway.HttpClient();
        http.DefaultRequestHeaders.Add("X-Request-Id", "client-trace-42");
        using var anonymous = gateway.HttpClient(key: null);
        anonymous.DefaultRequestHeaders.Add("X-Request-Id", "client-trace-43");

        using var passthrough = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        using var echo = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"echo","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        using var error = await anonymous.GetAsync("/v1/models", TestContext.Current.CancellationToken);

        Assert.Equal("client-trace-42", Assert.Single(passthrough.Headers.GetValues("X-Request-Id")));
        Assert.Equal("client-trace-42", Assert.Single(echo.Headers.GetValues("X-Request-Id")));
        Assert.Equal("client-trace-43", Assert.Single(error.Headers.GetValues("X-Request-Id")));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task Replaces_a_request_id_that_is_not_printable_ascii()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();
        http.DefaultRequestHeaders.TryAddWithoutValidation("X-Request-Id", new string('a', 300));

        using var response = await http.GetAsync("/v1/models", TestContext.Current.CancellationToken);

        var id = Assert.Single(response.Headers.GetValues("X-Request-Id"));
        Assert.NotEqual(new string('a', 300), id);
        Assert.False(string.IsNullOrWhiteSpace(id));
    }

    [Fact]
    public async Task Reports_gateway_and_upstream_time_in_server_timing()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.Enqueue(async (context, _) =>
        {
            // Long enough that the gateway's own time, even on a first request on a busy machine, is shorter.
            await Task.Delay(TimeSpan.FromSeconds(2), context.RequestAborted);
            await FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("slow"));
        });
        upstream.EnqueueSse(UpstreamAnswers.TextStream("a"));
        using var http = gateway.HttpClient();

        using var plain = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        using var stream = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);

        var plainTiming = Durations(plain);
        Assert.True(plainTiming["upstream"] >= 1_900, $"upstream;dur={plainTiming["upstream"]}");
        Assert.True(plainTiming["gateway"] >= 0);
        Assert.True(plainTiming["gateway"] < plainTiming["upstream"]);
        var streamTiming = Durations(stream);
        Assert.Contains("gateway", streamTiming.Keys);
        Assert.Contains("upstream", streamTiming.Keys);
    }

    [Fact]
    public async Task Reports_gateway_time_on_answers_without_an_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient();
        using var anonymous = gateway.HttpClient(key: null);

        using var echo = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"echo","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        using var error = await anonymous.GetAsync("/v1/models", TestContext.Current.CancellationToken);
        using var health = await anonymous.GetAsync("/healthz", TestContext.Current.CancellationToken);

        Assert.All(new[] { echo, error, health }, response => Assert.Contains("gateway", Durations(response).Keys));
    }

    /// <summary>The <c>dur</c> of each metric in the response's <c>Server-Timing</c> header, in milliseconds.</summary>
    private static Dictionary<string, double> Durations(HttpResponseMessage response)
    {
        var header = string.Join(", ", response.Headers.GetValues("Server-Timing"));
        return ServerTimingMetric().Matches(header).ToDictionary(
            m => m.Groups["name"].Value,
            m => double.Parse(m.Groups["dur"].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"(?<name>[A-Za-z0-9_-]+)\s*;\s*dur=(?<dur>[0-9.]+)")]
    private static partial Regex ServerTimingMetric();
}
