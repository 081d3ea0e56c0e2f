using System.Diagnostics;
using System.Net;
using System.Text;

namespace StreamBench;

/// <summary>Who the client talks to, and in which dialect.</summary>
public enum Route
{
    /// <summary>The fake upstream itself, OpenAI chat: the baseline.</summary>
    Direct,

    /// <summary>The gateway's OpenAI surface: passthrough.</summary>
    OpenAI,

    /// <summary>The gateway's Anthropic surface: translated to the OpenAI upstream and back.</summary>
    Anthropic,
}

/// <summary>Streams one request and reports the delay of every stamped frame as it arrives.</summary>
public static class StreamClient
{
    private static readonly byte[] OpenAIBody = Encoding.UTF8.GetBytes(
        """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}""");

    // Messages requires max_tokens; the fake upstream sends no more frames than it allows, so it
    // is above any stream's frame count (the frames test's run hundreds).
    private static readonly byte[] AnthropicBody = Encoding.UTF8.GetBytes(
        """{"model":"gpt-4o-mini","max_tokens":1000000,"messages":[{"role":"user","content":"hi"}],"stream":true}""");

    public static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = int.MaxValue,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(30),
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    // Two frames: the streams test's warm-up (the fake upstream sends no more than max_tokens frames).
    private static readonly byte[] ShortOpenAIBody = Encoding.UTF8.GetBytes(
        """{"model":"gpt-4o-mini","max_tokens":2,"messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}""");

    private static readonly byte[] ShortAnthropicBody = Encoding.UTF8.GetBytes(
        """{"model":"gpt-4o-mini","max_tokens":2,"messages":[{"role":"user","content":"hi"}],"stream":true}""");

    /// <summary>The gateway's path and the request body of a route (not <see cref="Route.Direct"/>).</summary>
    public static (string Path, byte[] Body) Target(Route route, bool twoFrames) => route switch
    {
        Route.OpenAI => ("/v1/chat/completions", twoFrames ? ShortOpenAIBody : OpenAIBody),
        Route.Anthropic => ("/v1/messages", twoFrames ? ShortAnthropicBody : AnthropicBody),
        _ => throw new ArgumentException($"no gateway path for {route}", nameof(route)),
    };

    public static HttpRequestMessage CreateRequest(Route route, string gatewayUrl, string upstreamBaseUrl, bool twoFrames = false)
    {
        var (url, body) = route switch
        {
            Route.Direct => (upstreamBaseUrl + "/chat/completions", twoFrames ? ShortOpenAIBody : OpenAIBody),
            Route.OpenAI => (gatewayUrl + "/v1/chat/completions", twoFrames ? ShortOpenAIBody : OpenAIBody),
            _ => (gatewayUrl + "/v1/messages", twoFrames ? ShortAnthropicBody : AnthropicBody),
        };
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body), Version = HttpVersion.Version11 };
        request.Content.Headers.ContentType = new("application/json");
        if (route == Route.Anthropic)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", GatewayProcess.ClientKey);
            request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        }
        else
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + GatewayProcess.ClientKey);
        }

        return request;
    }

    /// <summary>Sends the request and reads the stream to its end; returns the number of stamped frames seen.</summary>
    public static async Task<int> RunAsync(HttpClient client, HttpRequestMessage request, Action<double>? first, Action<double> each, CancellationToken cancellationToken)
    {
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var clock = new FrameClock();
        var buffer = new byte[2048];
        var frames = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            clock.Scan(buffer.AsSpan(0, read), Stopwatch.GetTimestamp(), delay =>
            {
                if (frames++ == 0)
                {
                    first?.Invoke(delay);
                }

                each(delay);
            });
        }

        return frames;
    }
}
