using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Switchyard.Auth;

namespace Switchyard.Console;

/// <summary>
/// Sends a playground request to the gateway's own public route, as a key, and relays the answer
/// (streamed, frame by frame) to the browser. The browser never holds a key: it sends its
/// session cookie and antiforgery token here, and this process calls itself with a short-lived
/// <see cref="DelegatedCredentials"/> credential for the chosen key. So the request is the real
/// thing: the key's limits, credits, routing, request log and usage all apply.
/// </summary>
internal sealed class PlaygroundProxy(DelegatedCredentials credentials, IServer server) : IDisposable
{
    public const int MaxBodyBytes = 1024 * 1024;

    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    });

    /// <summary>The gateway route a playground surface calls; null for an unknown surface.</summary>
    public static string? Route(string surface, string model, bool stream) => surface switch
    {
        "chat" => "/v1/chat/completions",
        "responses" => "/v1/responses",
        "messages" => "/v1/messages",
        "gemini" => $"/v1beta/models/{Uri.EscapeDataString(model)}:{(stream ? "streamGenerateContent?alt=sse" : "generateContent")}",
        _ => null,
    };

    public async Task ForwardAsync(HttpContext context, string route, string keyId, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(SelfAddress(), route)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credentials.Issue(keyId));
        if (route == "/v1/messages")
        {
            request.Headers.Add("anthropic-version", "2023-06-01");
        }

        using var response = await _client.SendAsync(request, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
        if (response.Headers.TryGetValues("X-Request-Id", out var ids))
        {
            context.Response.Headers["X-Request-Id"] = ids.FirstOrDefault();
        }

        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await using var upstream = await response.Content.ReadAsStreamAsync(context.RequestAborted);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await upstream.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    /// <summary>A listening address of this process, a wildcard host replaced by loopback; plain HTTP preferred.</summary>
    private Uri SelfAddress()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server listens on no address.");
        var uri = new UriBuilder(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0")
        {
            uri.Host = "127.0.0.1";
        }
        else if (uri.Host is "[::]" or "::")
        {
            uri.Host = "[::1]";
        }

        return uri.Uri;
    }

    public void Dispose() => _client.Dispose();
}
