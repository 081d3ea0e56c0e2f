using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;
using Switchyard.Tests.Infrastructure.Clouds;

namespace Switchyard.Tests.Providers.Bedrock;

/// <summary>
/// A Bedrock provider through the whole gateway: every client surface, whole and streamed, asks
/// Converse through a runtime that recomputes each SigV4 signature; Claude's signed reasoning
/// comes back; usage is metered and priced; Bedrock's errors reach each surface in its own envelope.
/// </summary>
public sealed class BedrockEndToEndTests(BedrockCloud cloud) : IClassFixture<BedrockCloud>
{
    private static readonly ConverseScript Script = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string, bool, Scenario> Cells => CloudMatrix.Cells(Scenario.Text, Scenario.Tools, Scenario.Image, Scenario.Reasoning);

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Every_surface_reaches_converse_signed_for_the_runtime(string surface, bool stream, Scenario scenario)
    {
        var sent = await CloudMatrix.RunAsync(cloud.Gateway, BedrockCloud.Model, Script, cloud.East, surface, stream, scenario);

        // The fake has recomputed each signature already; here, where it went and what was signed.
        Assert.All(sent, request =>
        {
            Assert.Equal($"/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/{(stream ? "converse-stream" : "converse")}", request.RawTarget);
            Assert.StartsWith($"AWS4-HMAC-SHA256 Credential={BedrockCloud.AccessKeyId}/", request.Header("authorization"), StringComparison.Ordinal);
            Assert.Contains("/us-east-1/bedrock/aws4_request", request.Header("authorization"), StringComparison.Ordinal);
            Assert.Equal(BedrockCloud.SessionToken, request.Header("x-amz-security-token"));
            Assert.Null(request.Header("x-api-key"));
        });
    }

    public static TheoryData<string, bool> Surfaces => CloudMatrix.Surfaces();

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task Cache_reads_and_writes_reach_every_client_and_the_ledger_at_their_prices(string surface, bool stream)
    {
        var row = await CloudMatrix.RunMeteredAsync(cloud.Gateway, BedrockCloud.Model, Script, cloud.East, surface, stream, (3m, 0.3m, 3.75m, 15m));

        Assert.Equal("aws/" + BedrockCloud.ProfileId, (string?)row["deployment"]);
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task Throttling_is_a_429_in_the_surface_s_envelope_without_the_account_s_arn(string surface, bool stream)
    {
        cloud.East.ClearScripts();
        cloud.East.Enqueue((context, _) => FakeBedrockRuntime.WriteErrorAsync(context, 429, "ThrottlingException",
            "Too many requests for arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0, please wait before trying again."));
        using var http = cloud.Gateway.HttpClient();

        using var response = await http.PostAsync(Path(surface, BedrockCloud.Model, stream), Requests.Json(Body(surface, BedrockCloud.Model, stream)), Cancel);

        var error = surface switch
        {
            SurfaceClient.Messages => await AnthropicErrorAssert.ReadAsync(response, HttpStatusCode.TooManyRequests, "rate_limit_error"),
            SurfaceClient.Gemini => await GeminiErrorAssert.ReadAsync(response, HttpStatusCode.TooManyRequests, "RESOURCE_EXHAUSTED"),
            _ => await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.TooManyRequests, "rate_limit_error", "rate_limit_exceeded"),
        };
        var message = (string)error["message"]!;
        Assert.Contains("Too many requests", message, StringComparison.Ordinal);
        Assert.DoesNotContain("123456789012", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failing_region_hands_the_request_to_the_other_deployment(bool stream)
    {
        var (keyId, secret, _) = await AdminApi.CreateKeyAsync(cloud.Gateway, new JsonObject { ["name"] = "failover " + stream });
        var answered = Script.Answer(Scenario.Text, 0, stream);
        var failedOn = new List<string>();
        Func<Microsoft.AspNetCore.Http.HttpContext, CloudRequest, Task> FirstFails(string region) => (context, request) =>
        {
            lock (failedOn)
            {
                if (failedOn.Count == 0)
                {
                    failedOn.Add(region);
                    return stream
                        ? FakeBedrockRuntime.WriteStreamExceptionAsync(context, "internalServerException", "The server encountered an internal error.")
                        : FakeBedrockRuntime.WriteErrorAsync(context, 500, "InternalServerException", "The server encountered an internal error.");
                }
            }

            return answered(context, request);
        };
        cloud.East.ClearScripts();
        cloud.West.ClearScripts();
        var (eastBefore, westBefore) = (cloud.East.Requests.Count, cloud.West.Requests.Count);
        cloud.East.Enqueue(FirstFails("aws"));
        cloud.West.Enqueue(FirstFails("aws-west"));

        var reply = await SurfaceClient.Named(SurfaceClient.Chat).AskAsync(cloud.Gateway, BedrockCloud.FailoverModel, Scenario.Text, stream, secret);
        var row = await AdminApi.SingleRequestAsync(cloud.Gateway, keyId);

        Assert.Equal(Story.Hello, reply.Text);
        Assert.Equal((1, 1), (cloud.East.Requests.Count - eastBefore, cloud.West.Requests.Count - westBefore));
        var served = failedOn.Single() == "aws" ? "aws-west" : "aws";
        Assert.Equal((200, 2, $"{served}/{BedrockCloud.ProfileId}"), ((int?)row["status"], (int?)row["attempts"], (string?)row["deployment"]));
    }

    private static string Path(string surface, string model, bool stream) => surface switch
    {
        SurfaceClient.Chat => "/v1/chat/completions",
        SurfaceClient.Responses => "/v1/responses",
        SurfaceClient.Messages => "/v1/messages",
        _ => stream ? $"/v1beta/models/{model}:streamGenerateContent?alt=sse" : $"/v1beta/models/{model}:generateContent",
    };

    private static string Body(string surface, string model, bool stream) => surface switch
    {
        SurfaceClient.Chat => $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""",
        SurfaceClient.Responses => $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"input":"hi"}""",
        SurfaceClient.Messages => $$"""{"model":"{{model}}","max_tokens":100,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""",
        _ => """{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}""",
    };
}
