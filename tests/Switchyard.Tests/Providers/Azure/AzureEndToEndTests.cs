using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;
using Switchyard.Tests.Infrastructure.Clouds;

namespace Switchyard.Tests.Providers.Azure;

/// <summary>
/// An Azure OpenAI provider through the whole gateway: every client surface, whole and streamed,
/// reaches a chat deployment and a Responses deployment, with the resource key and a dated API
/// version or with an Entra ID token and the v1 API; usage is metered and priced; tokens are
/// renewed once they expire; Azure's content filter reaches each surface in its own terms.
/// </summary>
public sealed class AzureEndToEndTests(AzureCloud cloud) : IClassFixture<AzureCloud>
{
    private static readonly ChatScript Chat = new();
    private static readonly ResponsesScript Responses = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string, bool, Scenario> Cells => CloudMatrix.Cells(Scenario.Text, Scenario.Tools, Scenario.Image, Scenario.Reasoning);

    public static TheoryData<string, bool, Scenario> FewerCells => CloudMatrix.Cells(Scenario.Text, Scenario.Tools);

    public static TheoryData<string, bool> Surfaces => CloudMatrix.Surfaces();

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Every_surface_reaches_a_chat_deployment_by_key_and_dated_version(string surface, bool stream, Scenario scenario)
    {
        var sent = await CloudMatrix.RunAsync(cloud.Gateway, AzureCloud.KeyChat, Chat, cloud.Resource, surface, stream, scenario);

        Assert.All(sent, request =>
        {
            Assert.Equal($"/openai/deployments/{AzureCloud.ChatDeployment}/chat/completions?api-version={AzureCloud.ApiVersion}", request.RawTarget);
            AssertKey(request);
        });
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Every_surface_reaches_a_responses_deployment_by_entra_and_the_v1_api(string surface, bool stream, Scenario scenario)
    {
        var sent = await CloudMatrix.RunAsync(cloud.Gateway, AzureCloud.EntraResponses, Responses, cloud.Resource, surface, stream, scenario);

        Assert.All(sent, request =>
        {
            Assert.Equal("/openai/v1/responses", request.RawTarget);
            Assert.Equal(AzureCloud.ResponsesDeployment, (string?)JsonNode.Parse(request.Body)!["model"]);
            AssertEntraToken(request);
        });
    }

    [Theory]
    [MemberData(nameof(FewerCells))]
    public async Task Every_surface_reaches_a_chat_deployment_by_entra_and_the_v1_api(string surface, bool stream, Scenario scenario)
    {
        var sent = await CloudMatrix.RunAsync(cloud.Gateway, AzureCloud.EntraChat, Chat, cloud.Resource, surface, stream, scenario);

        Assert.All(sent, request =>
        {
            Assert.Equal("/openai/v1/chat/completions", request.RawTarget);
            Assert.Equal(AzureCloud.ChatDeployment, (string?)JsonNode.Parse(request.Body)!["model"]);
            AssertEntraToken(request);
        });
    }

    [Theory]
    [MemberData(nameof(FewerCells))]
    public async Task Every_surface_reaches_a_responses_deployment_by_key_and_dated_version(string surface, bool stream, Scenario scenario)
    {
        var sent = await CloudMatrix.RunAsync(cloud.Gateway, AzureCloud.KeyResponses, Responses, cloud.Resource, surface, stream, scenario);

        Assert.All(sent, request =>
        {
            Assert.Equal($"/openai/responses?api-version={AzureCloud.ApiVersion}", request.RawTarget);
            Assert.Equal(AzureCloud.ResponsesDeployment, (string?)JsonNode.Parse(request.Body)!["model"]);
            AssertKey(request);
        });
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task Chat_cached_and_reasoning_tokens_reach_every_client_and_the_ledger(string surface, bool stream)
    {
        var row = await CloudMatrix.RunMeteredAsync(cloud.Gateway, AzureCloud.KeyChat, Chat, cloud.Resource, surface, stream, (2.5m, 1.25m, 2.5m, 10m));

        Assert.Equal($"az/{AzureCloud.ChatDeployment}", (string?)row["deployment"]);
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task Responses_cached_and_reasoning_tokens_reach_every_client_and_the_ledger(string surface, bool stream)
    {
        var row = await CloudMatrix.RunMeteredAsync(cloud.Gateway, AzureCloud.EntraResponses, Responses, cloud.Resource, surface, stream, (2.5m, 1.25m, 2.5m, 10m));

        Assert.Equal($"az-v1/{AzureCloud.ResponsesDeployment}", (string?)row["deployment"]);
    }

    [Fact]
    public async Task An_entra_token_is_kept_while_it_lives_and_renewed_once_it_expired()
    {
        cloud.Resource.ClearScripts();
        var client = SurfaceClient.Named(SurfaceClient.Chat);
        var before = cloud.Resource.Requests.Count;

        cloud.Resource.Enqueue(Chat.Answer(Scenario.Text, 0, stream: false));
        await client.AskAsync(cloud.Gateway, AzureCloud.EntraChat, Scenario.Text, stream: false);
        cloud.Resource.Enqueue(Chat.Answer(Scenario.Text, 0, stream: false));
        await client.AskAsync(cloud.Gateway, AzureCloud.EntraChat, Scenario.Text, stream: false);
        var issued = cloud.Entra.Issued;
        cloud.AdvanceClock(cloud.Entra.TokenLifetime + TimeSpan.FromSeconds(30));
        cloud.Resource.Enqueue(Chat.Answer(Scenario.Text, 0, stream: false));
        var renewed = await client.AskAsync(cloud.Gateway, AzureCloud.EntraChat, Scenario.Text, stream: false);

        Assert.Equal(Story.Hello, renewed.Text);
        Assert.Equal(issued + 1, cloud.Entra.Issued);
        var tokens = cloud.Resource.Requests.Skip(before).Select(r => r.Header("authorization")).ToList();
        Assert.Equal(3, tokens.Count);
        Assert.Equal(tokens[0], tokens[1]);
        Assert.NotEqual(tokens[1], tokens[2]);
    }

    [Theory]
    [InlineData(SurfaceClient.Chat)]
    [InlineData(SurfaceClient.Responses)]
    [InlineData(SurfaceClient.Messages)]
    [InlineData(SurfaceClient.Gemini)]
    public async Task A_prompt_the_content_filter_refused_is_a_400_in_the_surface_s_envelope(string surface)
    {
        cloud.Resource.ClearScripts();
        cloud.Resource.Enqueue((context, _) => FakeUpstream.WriteJsonAsync(context, PromptFiltered, 400));
        using var http = cloud.Gateway.HttpClient();

        using var response = await http.PostAsync(Path(surface), Requests.Json(Body(surface)), Cancel);

        var error = surface switch
        {
            SurfaceClient.Messages => await AnthropicErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error"),
            SurfaceClient.Gemini => await GeminiErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "INVALID_ARGUMENT"),
            _ => await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", "content_filter"),
        };
        Assert.StartsWith("The response was filtered due to the prompt triggering Azure OpenAI's content management policy.", (string?)error["message"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SurfaceClient.Chat, "$.choices[0].finish_reason", "content_filter")]
    [InlineData(SurfaceClient.Responses, "$.incomplete_details.reason", "content_filter")]
    [InlineData(SurfaceClient.Messages, "$.stop_reason", "refusal")]
    [InlineData(SurfaceClient.Gemini, "$.candidates[0].finishReason", "SAFETY")]
    public async Task A_completion_the_content_filter_cut_finishes_as_the_surface_says_so(string surface, string path, string reason)
    {
        cloud.Resource.ClearScripts();
        cloud.Resource.Enqueue((context, _) => FakeUpstream.WriteJsonAsync(context, """
            {"id":"chatcmpl-AzF1","object":"chat.completion","created":1767225600,"model":"gpt-4o-2024-11-20",
             "prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"violence":{"filtered":false,"severity":"safe"}}}],
             "choices":[{"index":0,"finish_reason":"content_filter","message":{"role":"assistant","content":"Here is how"},
               "content_filter_results":{"violence":{"filtered":true,"severity":"high"}}}],
             "usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}
            """));
        using var http = cloud.Gateway.HttpClient();

        using var response = await http.PostAsync(Path(surface), Requests.Json(Body(surface)), Cancel);
        var body = await response.Content.ReadAsStringAsync(Cancel);

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal(reason, (string?)At(JsonNode.Parse(body), path));
        Assert.Contains("Here is how", body, StringComparison.Ordinal);
    }

    // What Azure OpenAI answers when its content filter refuses a prompt (https://learn.microsoft.com/azure/ai-foundry/openai/concepts/content-filter).
    private const string PromptFiltered = """
        {"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
          "type":null,"param":"prompt","code":"content_filter","status":400,
          "innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":false,"severity":"safe"},"violence":{"filtered":true,"severity":"high"}}}}}
        """;

    private static string Path(string surface) => surface switch
    {
        SurfaceClient.Chat => "/v1/chat/completions",
        SurfaceClient.Responses => "/v1/responses",
        SurfaceClient.Messages => "/v1/messages",
        _ => $"/v1beta/models/{AzureCloud.KeyChat}:generateContent",
    };

    private static string Body(string surface) => surface switch
    {
        SurfaceClient.Chat => $$"""{"model":"{{AzureCloud.KeyChat}}","messages":[{"role":"user","content":"How do I hurt someone?"}]}""",
        SurfaceClient.Responses => $$"""{"model":"{{AzureCloud.KeyChat}}","input":"How do I hurt someone?"}""",
        SurfaceClient.Messages => $$"""{"model":"{{AzureCloud.KeyChat}}","max_tokens":100,"messages":[{"role":"user","content":"How do I hurt someone?"}]}""",
        _ => """{"contents":[{"role":"user","parts":[{"text":"How do I hurt someone?"}]}]}""",
    };

    /// <summary>The node at a simple JSON path such as <c>$.choices[0].finish_reason</c>.</summary>
    private static JsonNode? At(JsonNode? node, string path)
    {
        foreach (var segment in path[2..].Split('.'))
        {
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            node = node?[bracket < 0 ? segment : segment[..bracket]];
            if (bracket >= 0)
            {
                node = node?[int.Parse(segment[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)];
            }
        }

        return node;
    }

    private static void AssertKey(CloudRequest request)
    {
        Assert.Equal(AzureCloud.ResourceKey, request.Header("api-key"));
        Assert.Null(request.Header("authorization"));
    }

    private void AssertEntraToken(CloudRequest request)
    {
        var authorization = request.Header("authorization");
        Assert.StartsWith("Bearer entra-", authorization, StringComparison.Ordinal);
        Assert.True(cloud.Entra.IsValid(authorization![7..]));
        Assert.Null(request.Header("api-key"));
    }
}
