using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>
/// Vertex AI on loopback: Gemini (<c>:generateContent</c>, <c>:streamGenerateContent?alt=sse</c>)
/// and Anthropic (<c>:rawPredict</c>, <c>:streamRawPredict</c>) under one project and location,
/// each request authenticated by a bearer token the fake Google OAuth endpoint issued and that
/// has not expired. Anthropic bodies must carry <c>anthropic_version: vertex-2023-10-16</c> and no <c>model</c>.
/// </summary>
public sealed partial class FakeVertex : IScriptedCloud, IAsyncDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<Func<HttpContext, CloudRequest, Task>> _scripts = new();
    private LoopbackServer? _server;

    public required string Project { get; init; }

    public required string Location { get; init; }

    public required FakeGoogleOAuth OAuth { get; init; }

    public string BaseUrl => _server!.BaseUrl;

    public IReadOnlyCollection<CloudRequest> Requests => _server!.Requests;

    public static async Task<FakeVertex> StartAsync(string project, string location, FakeGoogleOAuth oauth)
    {
        var fake = new FakeVertex { Project = project, Location = location, OAuth = oauth };
        fake._server = await LoopbackServer.StartAsync(fake.HandleAsync);
        return fake;
    }

    /// <summary>Answers the next authentic, well-addressed request with <paramref name="script"/> instead of the default answer.</summary>
    public void Enqueue(Func<HttpContext, CloudRequest, Task> script) => _scripts.Enqueue(script);

    public void ClearScripts() => _scripts.Clear();

    private async Task HandleAsync(HttpContext context, CloudRequest request)
    {
        var bearer = request.Header("authorization") is { } authorization && authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization[7..] : null;
        if (bearer is null || !OAuth.IsValid(bearer))
        {
            await Error(context, 401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", "UNAUTHENTICATED");
            return;
        }

        var route = ModelPath().Match(request.Path);
        if (!route.Success || route.Groups["project"].Value != Project || route.Groups["location"].Value != Location)
        {
            await Error(context, 404, "The requested URL was not found on this server.", "NOT_FOUND");
            return;
        }

        var publisher = route.Groups["publisher"].Value;
        var method = route.Groups["method"].Value;
        var body = JsonNode.Parse(request.Body)?.AsObject();
        var anthropicBodyOk = body is not null && body["anthropic_version"]?.GetValue<string>() == "vertex-2023-10-16" && !body.ContainsKey("model");
        if ((publisher != "anthropic" || anthropicBodyOk) && (method != "streamGenerateContent" || request.Query.Contains("alt=sse", StringComparison.Ordinal))
            && _scripts.TryDequeue(out var script))
        {
            await script(context, request);
            return;
        }

        switch (publisher, method)
        {
            case ("google", "generateContent"):
                await Json(context, """{"candidates":[{"content":{"role":"model","parts":[{"text":"Hello from Vertex."}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":4,"totalTokenCount":8},"modelVersion":"gemini-2.5-pro"}""");
                break;
            case ("google", "streamGenerateContent") when request.Query.Contains("alt=sse", StringComparison.Ordinal):
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync("""data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Hello"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":1,"totalTokenCount":5}}""" + "\r\n\r\n");
                break;
            case ("anthropic", _) when !anthropicBodyOk:
                await Error(context, 400, "anthropic_version: vertex-2023-10-16 is required and model must not be in the body.", "INVALID_ARGUMENT");
                break;
            case ("anthropic", "rawPredict"):
                var model = route.Groups["model"].Value;
                await Json(context, """{"id":"msg_vrtx_01","type":"message","role":"assistant","model":""" + "\"" + model + "\"" + ""","content":[{"type":"text","text":"Hello from Claude on Vertex."}],"stop_reason":"end_turn","usage":{"input_tokens":4,"output_tokens":7}}""");
                break;
            case ("anthropic", "streamRawPredict"):
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_vrtx_02\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":4,\"output_tokens\":1}}}\n\n"
                    + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
                break;
            default:
                await Error(context, 400, $"Method {method} is not supported for publisher {publisher}.", "INVALID_ARGUMENT");
                break;
        }
    }

    private static Task Json(HttpContext context, string json)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    private static Task Error(HttpContext context, int code, string message, string status)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["status"] = status } }.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [GeneratedRegex("^/v1/projects/(?<project>[^/]+)/locations/(?<location>[^/]+)/publishers/(?<publisher>google|anthropic)/models/(?<model>[^/:]+):(?<method>generateContent|streamGenerateContent|rawPredict|streamRawPredict)$")]
    private static partial Regex ModelPath();
}
