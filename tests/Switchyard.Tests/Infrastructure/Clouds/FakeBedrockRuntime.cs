using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Switchyard.Dialects.Framing;
using Switchyard.Providers.Bedrock;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>
/// The Bedrock runtime on loopback. Authenticates like AWS: a SigV4 signature recomputed from
/// what arrived (the raw request target, the signed headers, the body's hash) with the secret of
/// the access key it names, a date within five minutes of the fake's clock, the session token of
/// temporary keys; or a Bedrock API key as a bearer token. Answers Converse with JSON and
/// ConverseStream with AWS event-stream frames; errors carry <c>x-amzn-ErrorType</c>.
/// </summary>
public sealed partial class FakeBedrockRuntime : IScriptedCloud, IAsyncDisposable
{
    private readonly Dictionary<string, (string Secret, string? SessionToken)> _keys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _apiKeys = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentQueue<Func<HttpContext, CloudRequest, Task>> _scripts = new();
    private readonly TimeProvider _time;
    private LoopbackServer? _server;

    private FakeBedrockRuntime(string region, TimeProvider time)
    {
        Region = region;
        _time = time;
    }

    public string Region { get; }

    public string BaseUrl => _server!.BaseUrl;

    public IReadOnlyCollection<CloudRequest> Requests => _server!.Requests;

    /// <summary>Model ids (or inference-profile ARNs) that exist.</summary>
    public HashSet<string> Models { get; } = new(StringComparer.Ordinal);

    /// <summary>The Converse stream events answered, as (event type, JSON payload).</summary>
    public List<(string Event, string Payload)> StreamEvents { get; } =
    [
        ("messageStart", """{"role":"assistant","p":"abcdefgh"}"""),
        ("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hello"},"p":"abc"}"""),
        ("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":" from Bedrock."},"p":"abcdef"}"""),
        ("contentBlockStop", """{"contentBlockIndex":0,"p":"abcdefghij"}"""),
        ("messageStop", """{"stopReason":"end_turn","p":"ab"}"""),
        ("metadata", """{"usage":{"inputTokens":12,"outputTokens":4,"totalTokens":16},"metrics":{"latencyMs":240},"p":"abcd"}"""),
    ];

    public static async Task<FakeBedrockRuntime> StartAsync(string region, TimeProvider time)
    {
        var fake = new FakeBedrockRuntime(region, time);
        fake._server = await LoopbackServer.StartAsync(fake.HandleAsync);
        return fake;
    }

    public void AddAccessKey(string accessKeyId, string secret, string? sessionToken = null) => _keys[accessKeyId] = (secret, sessionToken);

    public void AddApiKey(string apiKey) => _apiKeys.Add(apiKey);

    /// <summary>Answers the next authentic request for a known model with <paramref name="script"/> instead of the default answer.</summary>
    public void Enqueue(Func<HttpContext, CloudRequest, Task> script) => _scripts.Enqueue(script);

    public void ClearScripts() => _scripts.Clear();

    /// <summary>A Converse (or InvokeModel) answer.</summary>
    public static Task WriteJsonAsync(HttpContext context, string json)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    /// <summary>A ConverseStream answer: each (event type, JSON payload) as one AWS event-stream frame, flushed.</summary>
    public static async Task WriteEventsAsync(HttpContext context, IEnumerable<(string Event, string Payload)> events)
    {
        context.Response.ContentType = "application/vnd.amazon.eventstream";
        foreach (var (name, payload) in events)
        {
            var frame = new ArrayBufferWriter<byte>();
            AwsEventStreamWriter.WriteEvent(frame, name, Encoding.UTF8.GetBytes(payload));
            await context.Response.Body.WriteAsync(frame.WrittenMemory);
            await context.Response.Body.FlushAsync();
        }
    }

    /// <summary>A ConverseStream that fails before its first event: an event-stream exception message (<c>internalServerException</c>, <c>throttlingException</c>…).</summary>
    public static async Task WriteStreamExceptionAsync(HttpContext context, string exceptionType, string message)
    {
        context.Response.ContentType = "application/vnd.amazon.eventstream";
        var frame = new ArrayBufferWriter<byte>();
        AwsEventStreamWriter.WriteException(frame, exceptionType, message);
        await context.Response.Body.WriteAsync(frame.WrittenMemory);
    }

    /// <summary>An error as Bedrock answers it: the type in <c>x-amzn-ErrorType</c>, the message in the body.</summary>
    public static Task WriteErrorAsync(HttpContext context, int status, string type, string message) => Error(context, status, type, message);

    private async Task HandleAsync(HttpContext context, CloudRequest request)
    {
        if (Authenticate(request) is { } refusal)
        {
            await Error(context, 403, refusal.Type, refusal.Message);
            return;
        }

        var route = ModelPath().Match(request.RawTarget);
        var modelId = route.Success ? Uri.UnescapeDataString(route.Groups["model"].Value) : null;
        if (modelId is null || !Models.Contains(modelId))
        {
            await Error(context, 400, "ValidationException", "The provided model identifier is invalid.");
            return;
        }

        JsonNode? body;
        try
        {
            body = JsonNode.Parse(request.Body);
        }
        catch (System.Text.Json.JsonException)
        {
            body = null;
        }

        var operation = route.Groups["operation"].Value;
        if (operation is "converse" or "converse-stream" && body?["messages"] is not JsonArray)
        {
            await Error(context, 400, "ValidationException", "1 validation error detected: Value at 'messages' failed to satisfy constraint: Member must not be null");
            return;
        }

        if (_scripts.TryDequeue(out var script))
        {
            await script(context, request);
            return;
        }

        switch (operation)
        {
            case "converse":
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""
                    {"output":{"message":{"role":"assistant","content":[{"text":"Hello from Bedrock."}]}},"stopReason":"end_turn",
                     "usage":{"inputTokens":12,"outputTokens":4,"totalTokens":16},"metrics":{"latencyMs":240}}
                    """);
                break;
            case "converse-stream":
                await WriteEventsAsync(context, StreamEvents);
                break;
            case "invoke":
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"id":"msg_bdrk_01","type":"message","role":"assistant","model":"claude","content":[{"type":"text","text":"Hello."}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":2}}""");
                break;
            default:
                await Error(context, 400, "ValidationException", $"Operation {operation} is not supported by this fake.");
                break;
        }
    }

    /// <summary>Null when the request is authentic, else the error AWS would answer.</summary>
    private (string Type, string Message)? Authenticate(CloudRequest request)
    {
        var authorization = request.Header("authorization");
        if (authorization is null)
        {
            return ("MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        if (authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return _apiKeys.Contains(authorization[7..]) ? null : ("UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        var parsed = AuthorizationPattern().Match(authorization);
        if (!parsed.Success)
        {
            return ("IncompleteSignatureException", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'.");
        }

        var accessKeyId = parsed.Groups["key"].Value;
        if (!_keys.TryGetValue(accessKeyId, out var key))
        {
            return ("UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        if (parsed.Groups["region"].Value != Region || parsed.Groups["service"].Value != SigV4Signer.BedrockService)
        {
            return ("InvalidSignatureException", "Credential should be scoped to a valid region and to service 'bedrock'.");
        }

        if (key.SessionToken is not null && request.Header("x-amz-security-token") != key.SessionToken)
        {
            return ("UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        var date = request.Header("x-amz-date");
        if (date is null || !DateTimeOffset.TryParseExact(date, "yyyyMMdd'T'HHmmss'Z'", null, System.Globalization.DateTimeStyles.AssumeUniversal, out var signedAt)
            || (signedAt - _time.GetUtcNow()).Duration() > TimeSpan.FromMinutes(5)
            || parsed.Groups["date"].Value != signedAt.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture))
        {
            return ("InvalidSignatureException", "Signature expired: the request date is more than 5 minutes away from the server's time.");
        }

        var payloadHash = SigV4.PayloadHash(request.Body);
        if (request.Header("x-amz-content-sha256") is { } claimed && claimed != payloadHash)
        {
            return ("InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }

        var signedNames = parsed.Groups["signed"].Value.Split(';');
        if (!signedNames.Contains("host") || !signedNames.Contains("x-amz-date") || (key.SessionToken is not null && !signedNames.Contains("x-amz-security-token")))
        {
            return ("InvalidSignatureException", "host, x-amz-date and x-amz-security-token must be signed.");
        }

        var headers = signedNames.Select(name => KeyValuePair.Create(name, request.Header(name) ?? string.Empty));
        var question = request.RawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? request.RawTarget : request.RawTarget[..question];
        var query = question < 0 ? string.Empty : request.RawTarget[(question + 1)..];
        var expected = SigV4.Sign(request.Method, path, query, headers, payloadHash, new SigV4Scope(accessKeyId, key.Secret, Region, SigV4Signer.BedrockService, signedAt));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected.Signature), Encoding.ASCII.GetBytes(parsed.Groups["signature"].Value))
            ? null
            : ("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
    }

    private static Task Error(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers["x-amzn-ErrorType"] = type + ":http://internal.amazon.com/coral/com.amazon.bedrock/";
        return context.Response.WriteAsync(new JsonObject { ["message"] = message }.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [GeneratedRegex("^/model/(?<model>[^/?]+)/(?<operation>converse|converse-stream|invoke|invoke-with-response-stream)$")]
    private static partial Regex ModelPath();

    [GeneratedRegex("^AWS4-HMAC-SHA256 Credential=(?<key>[^/]+)/(?<date>[0-9]{8})/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request, SignedHeaders=(?<signed>[a-z0-9;-]+), Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex AuthorizationPattern();
}
