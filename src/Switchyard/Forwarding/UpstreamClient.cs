using System.Diagnostics;
using System.Net.Http.Headers;
using Switchyard.Catalog;
using Switchyard.Dialects;

namespace Switchyard.Forwarding;

/// <summary>Builds and sends upstream requests in a deployment's dialect, turning transport failures into gateway errors.</summary>
public static class UpstreamClient
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>The upstream URL for a dialect (CONTRACT §2: <c>baseUrl</c> is the prefix the dialect's own paths are appended to).</summary>
    public static string Url(Deployment deployment, Dialect dialect, bool stream) => dialect switch
    {
        Dialect.OpenAIChat => deployment.Provider.BaseUrl + "/chat/completions",
        Dialect.OpenAIResponses => deployment.Provider.BaseUrl + "/responses",
        Dialect.OpenAICompletions => deployment.Provider.BaseUrl + "/completions",
        Dialect.OpenAIEmbeddings => deployment.Provider.BaseUrl + "/embeddings",
        Dialect.OpenAIImages => deployment.Provider.BaseUrl + "/images/generations",
        Dialect.AnthropicMessages => deployment.Provider.BaseUrl + "/v1/messages",
        Dialect.GeminiGenerate => $"{deployment.Provider.BaseUrl}/v1beta/models/{Uri.EscapeDataString(deployment.UpstreamModel)}:{(stream ? "streamGenerateContent?alt=sse" : "generateContent")}",
        Dialect.GeminiEmbed => $"{deployment.Provider.BaseUrl}/v1beta/models/{Uri.EscapeDataString(deployment.UpstreamModel)}:batchEmbedContents",
        _ => throw new UnreachableException(),
    };

    public static HttpRequestMessage CreateRequest(Deployment deployment, Dialect dialect, bool stream, ReadOnlyMemory<byte> body, IEnumerable<KeyValuePair<string, string>>? passedHeaders = null) =>
        CreateRequest(deployment, Url(deployment, dialect, stream), body, passedHeaders);

    /// <summary>A POST of <paramref name="body"/> to <paramref name="url"/> with the provider's credentials and headers.</summary>
    public static HttpRequestMessage CreateRequest(Deployment deployment, string url, ReadOnlyMemory<byte> body, IEnumerable<KeyValuePair<string, string>>? passedHeaders = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ReadOnlyMemoryContent(body),
            Version = System.Net.HttpVersion.Version11,
        };
        request.Content.Headers.ContentType = Json;
        var provider = deployment.Provider;
        switch (provider.Type)
        {
            case ProviderType.Anthropic:
                if (provider.ApiKey is { } anthropicKey)
                {
                    request.Headers.TryAddWithoutValidation("x-api-key", anthropicKey);
                }

                break;
            case ProviderType.Gemini:
                if (provider.ApiKey is { } geminiKey)
                {
                    request.Headers.TryAddWithoutValidation("x-goog-api-key", geminiKey);
                }

                break;
            default:
                if (provider.ApiKey is { } key)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                }

                break;
        }

        foreach (var (name, value) in passedHeaders ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (provider.Type == ProviderType.Anthropic && !request.Headers.Contains("anthropic-version"))
        {
            request.Headers.TryAddWithoutValidation("anthropic-version", provider.AnthropicVersion);
        }

        foreach (var (name, value) in provider.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        Diagnostics.SwitchyardActivity.InjectTraceContext(request);
        return request;
    }

    /// <summary>Sends and waits for the response headers within the provider's timeout; the body is read later through the returned call.</summary>
    public static async Task<(UpstreamCall? Call, GatewayError? Error)> SendAsync(Provider provider, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(provider.Timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await provider.Invoker!.SendAsync(request, timeout.Token);
            return (new UpstreamCall(response, timeout, provider.Timeout, Stopwatch.GetElapsedTime(started)), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            timeout.Dispose();
            return (null, Timeout());
        }
        catch (HttpRequestException)
        {
            timeout.Dispose();
            return (null, new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream could not be reached.") { Code = "upstream_error", AllowsFailover = true });
        }
    }

    public static GatewayError Timeout() =>
        new(GatewayErrorKind.UpstreamTimeout, "The upstream did not answer in time.") { AllowsFailover = true };

    /// <summary>Reads a whole (small) upstream body, such as an error or a non-streamed answer.</summary>
    public static async Task<byte[]> ReadBodyAsync(UpstreamCall call)
    {
        call.Touch();
        return await call.Response.Content.ReadAsByteArrayAsync(call.Token);
    }
}
