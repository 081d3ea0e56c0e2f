using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>
/// Azure OpenAI on loopback: deployment URLs with <c>api-version</c> and the <c>/openai/v1</c> API,
/// authenticated like Azure by the <c>api-key</c> header or an Entra bearer token that the fake
/// token endpoint issued and that has not expired. Chat completions, Responses and embeddings reach an
/// existing deployment; each is answered by the next queued script, else by a chat completion. Records requests.
/// </summary>
public sealed partial class FakeAzureOpenAI : IScriptedCloud, IAsyncDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<Func<HttpContext, CloudRequest, Task>> _scripts = new();
    private LoopbackServer? _server;

    /// <summary>The resource key accepted in <c>api-key</c>; null accepts none.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The issuer of accepted bearer tokens; null accepts none.</summary>
    public FakeEntraTokenEndpoint? Entra { get; init; }

    /// <summary>Deployments that exist.</summary>
    public required IReadOnlyList<string> Deployments { get; init; }

    public string BaseUrl => _server!.BaseUrl;

    public IReadOnlyCollection<CloudRequest> Requests => _server!.Requests;

    public static async Task<FakeAzureOpenAI> StartAsync(IReadOnlyList<string> deployments, string? apiKey = null, FakeEntraTokenEndpoint? entra = null)
    {
        var fake = new FakeAzureOpenAI { Deployments = deployments, ApiKey = apiKey, Entra = entra };
        fake._server = await LoopbackServer.StartAsync(fake.HandleAsync);
        return fake;
    }

    /// <summary>Answers the next authentic request for an existing deployment with <paramref name="script"/> instead of the default answer.</summary>
    public void Enqueue(Func<HttpContext, CloudRequest, Task> script) => _scripts.Enqueue(script);

    public void ClearScripts() => _scripts.Clear();

    private async Task HandleAsync(HttpContext context, CloudRequest request)
    {
        var keyOk = ApiKey is not null && request.Header("api-key") == ApiKey;
        var bearer = request.Header("authorization") is { } authorization && authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization[7..] : null;
        var tokenOk = Entra is not null && bearer is not null && Entra.IsValid(bearer);
        if (!keyOk && !tokenOk)
        {
            await Write(context, 401, """{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}}""");
            return;
        }

        // Dated versions name the deployment in the path, except Responses; the v1 API names it in the body.
        string? deployment;
        var dated = DeploymentPath().Match(request.Path);
        var datedResponses = request.Path == "/openai/responses";
        if (dated.Success || datedResponses)
        {
            if (!QueryVersion().IsMatch(request.Query))
            {
                await Write(context, 404, """{"error":{"code":"404","message":"Resource not found"}}""");
                return;
            }

            deployment = dated.Success ? Uri.UnescapeDataString(dated.Groups[1].Value) : BodyModel(request);
        }
        else if (V1Path().IsMatch(request.Path))
        {
            deployment = BodyModel(request);
        }
        else
        {
            await Write(context, 404, """{"error":{"code":"404","message":"Resource not found"}}""");
            return;
        }

        if (deployment is null || !Deployments.Contains(deployment))
        {
            await Write(context, 404, """{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}""");
            return;
        }

        if (_scripts.TryDequeue(out var script))
        {
            await script(context, request);
            return;
        }

        var answer = new JsonObject
        {
            ["id"] = "chatcmpl-azure",
            ["object"] = "chat.completion",
            ["created"] = 1767225600,
            ["model"] = "gpt-4o-2024-11-20",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = $"Hello from {deployment}." },
                ["finish_reason"] = "stop",
                ["content_filter_results"] = new JsonObject { ["hate"] = new JsonObject { ["filtered"] = false, ["severity"] = "safe" } },
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 9, ["completion_tokens"] = 5, ["total_tokens"] = 14 },
        };
        await Write(context, 200, answer.ToJsonString());
    }

    private static Task Write(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static string? BodyModel(CloudRequest request)
    {
        try
        {
            return JsonNode.Parse(request.Body)?["model"]?.GetValue<string>();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex("^/openai/deployments/([^/]+)/(chat/completions|embeddings)$")]
    private static partial Regex DeploymentPath();

    [GeneratedRegex("^/openai/v1/(chat/completions|responses|embeddings)$")]
    private static partial Regex V1Path();

    [GeneratedRegex(@"[?&]api-version=\d{4}-\d{2}-\d{2}(-preview)?(&|$)")]
    private static partial Regex QueryVersion();
}
