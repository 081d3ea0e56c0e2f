using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;
using Switchyard.Tests.Infrastructure.Clouds;

namespace Switchyard.Tests.Providers.Vertex;

/// <summary>
/// A Vertex AI provider through the whole gateway: every client surface, whole and streamed, asks
/// Gemini (generateContent) and Claude (rawPredict, Anthropic's body without its model and with
/// Vertex's anthropic_version) with a token from a service-account key; thoughts and thinking come
/// back; usage is metered and priced; the token is renewed when it expires.
/// </summary>
public sealed class VertexEndToEndTests(VertexCloud cloud) : IClassFixture<VertexCloud>
{
    private const string Models = "/v1/projects/my-project/locations/us-central1/publishers";

    private static readonly GeminiScript Gemini = new();
    private static readonly AnthropicScript Claude = new("vertex-2023-10-16");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string, bool, Scenario> Cells => CloudMatrix.Cells(Scenario.Text, Scenario.Tools, Scenario.Image, Scenario.Reasoning);

    public static TheoryData<string, bool> Surfaces => CloudMatrix.Surfaces();

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Every_surface_reaches_gemini_on_vertex(string surface, bool stream, Scenario scenario)
    {
        var sent = await CloudMatrix.RunAsync(cloud.Gateway, VertexCloud.GeminiModel, Gemini, cloud.Vertex, surface, stream, scenario);

        Assert.All(sent, request =>
        {
            Assert.Equal($"{Models}/google/models/{VertexCloud.GeminiId}:{(stream ? "streamGenerateContent?alt=sse" : "generateContent")}", request.RawTarget);
            AssertGoogleToken(request);
        });
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Every_surface_reaches_claude_on_vertex(string surface, bool stream, Scenario scenario)
    {
        var sent = await CloudMatrix.RunAsync(cloud.Gateway, VertexCloud.ClaudeModel, Claude, cloud.Vertex, surface, stream, scenario);

        Assert.All(sent, request =>
        {
            Assert.Equal($"{Models}/anthropic/models/{VertexCloud.ClaudeId}:{(stream ? "streamRawPredict" : "rawPredict")}", request.RawTarget);
            AssertGoogleToken(request);
            Assert.Null(request.Header("anthropic-version"));
        });
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task Gemini_s_cached_and_thought_tokens_reach_every_client_and_the_ledger(string surface, bool stream)
    {
        var row = await CloudMatrix.RunMeteredAsync(cloud.Gateway, VertexCloud.GeminiModel, Gemini, cloud.Vertex, surface, stream, (1.25m, 0.125m, 1.25m, 10m));

        Assert.Equal($"vx/{VertexCloud.GeminiId}", (string?)row["deployment"]);
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task Claude_s_cache_reads_and_writes_reach_every_client_and_the_ledger(string surface, bool stream)
    {
        var row = await CloudMatrix.RunMeteredAsync(cloud.Gateway, VertexCloud.ClaudeModel, Claude, cloud.Vertex, surface, stream, (3m, 0.3m, 3.75m, 15m));

        Assert.Equal($"vx/{VertexCloud.ClaudeId}", (string?)row["deployment"]);
    }

    [Fact]
    public async Task The_anthropic_surface_passes_its_body_to_claude_on_vertex_moving_only_the_model()
    {
        cloud.Vertex.ClearScripts();
        cloud.Vertex.Enqueue(Claude.Answer(Scenario.Text, 0, stream: false));
        using var http = cloud.Gateway.HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = Requests.Json($$"""
                {"model":"{{VertexCloud.ClaudeModel}}","max_tokens":300,"system":"Be brief.","metadata":{"user_id":"u-42"},"top_k":5,
                 "messages":[{"role":"user","content":"Say hello."}],"future_field":{"kept":[1,2]} }
                """),
        };
        request.Headers.Add("anthropic-version", "2023-06-01");
        request.Headers.Add("anthropic-beta", "context-1m-2025-08-07");

        using var response = await http.SendAsync(request, Cancel);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((VertexCloud.ClaudeModel, Story.Hello), ((string?)answer["model"], (string?)answer["content"]![0]!["text"]));
        var sent = cloud.Vertex.Requests.Last();
        Assert.Equal("context-1m-2025-08-07", sent.Header("anthropic-beta"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"max_tokens":300,"system":"Be brief.","metadata":{"user_id":"u-42"},"top_k":5,
             "messages":[{"role":"user","content":"Say hello."}],"future_field":{"kept":[1,2]},"anthropic_version":"vertex-2023-10-16"}
            """), JsonNode.Parse(sent.Body)), sent.BodyText);
    }

    [Fact]
    public async Task A_token_is_kept_while_it_lives_and_renewed_once_it_expired()
    {
        cloud.Vertex.ClearScripts();
        var client = SurfaceClient.Named(SurfaceClient.Gemini);
        var before = cloud.Vertex.Requests.Count;

        cloud.Vertex.Enqueue(Gemini.Answer(Scenario.Text, 0, stream: false));
        await client.AskAsync(cloud.Gateway, VertexCloud.GeminiModel, Scenario.Text, stream: false);
        cloud.Vertex.Enqueue(Gemini.Answer(Scenario.Text, 0, stream: false));
        await client.AskAsync(cloud.Gateway, VertexCloud.GeminiModel, Scenario.Text, stream: false);
        var issued = cloud.OAuth.Issued;
        cloud.AdvanceClock(cloud.OAuth.TokenLifetime + TimeSpan.FromMinutes(1));
        cloud.Vertex.Enqueue(Gemini.Answer(Scenario.Text, 0, stream: false));
        var renewed = await client.AskAsync(cloud.Gateway, VertexCloud.GeminiModel, Scenario.Text, stream: false);

        Assert.Equal(Story.Hello, renewed.Text);
        Assert.Equal(issued + 1, cloud.OAuth.Issued);
        var tokens = cloud.Vertex.Requests.Skip(before).Select(r => r.Header("authorization")).ToList();
        Assert.Equal(3, tokens.Count);
        Assert.Equal(tokens[0], tokens[1]);
        Assert.NotEqual(tokens[1], tokens[2]);
    }

    [Theory]
    [InlineData(SurfaceClient.Chat)]
    [InlineData(SurfaceClient.Messages)]
    public async Task Vertex_s_quota_error_is_a_429_in_the_surface_s_envelope(string surface)
    {
        cloud.Vertex.ClearScripts();
        cloud.Vertex.Enqueue((context, _) => FakeUpstream.WriteJsonAsync(context,
            GeminiAnswers.Error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute_per_project_per_base_model."), 429));
        using var http = cloud.Gateway.HttpClient();

        using var response = surface == SurfaceClient.Chat
            ? await http.PostAsync("/v1/chat/completions", Requests.Json($$"""{"model":"{{VertexCloud.GeminiModel}}","messages":[{"role":"user","content":"hi"}]}"""), Cancel)
            : await http.PostAsync("/v1/messages", Requests.Json($$"""{"model":"{{VertexCloud.GeminiModel}}","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}"""), Cancel);

        var error = surface == SurfaceClient.Chat
            ? await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.TooManyRequests, "rate_limit_error", "rate_limit_exceeded")
            : await AnthropicErrorAssert.ReadAsync(response, HttpStatusCode.TooManyRequests, "rate_limit_error");
        Assert.StartsWith("Quota exceeded", (string?)error["message"], StringComparison.Ordinal);
    }

    private void AssertGoogleToken(CloudRequest request)
    {
        var authorization = request.Header("authorization");
        Assert.StartsWith("Bearer ya29.fake-", authorization, StringComparison.Ordinal);
        Assert.True(cloud.OAuth.IsValid(authorization![7..]));
        Assert.Null(request.Header("x-goog-api-key"));
    }
}
