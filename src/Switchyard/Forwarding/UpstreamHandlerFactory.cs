using System.Net;

namespace Switchyard.Forwarding;

/// <summary>
/// One pooled <see cref="HttpMessageInvoker"/> per provider, tuned for a proxy: no proxy, redirects,
/// cookies or decompression, no hidden retries. Timeouts are applied per request as idle timeouts.
/// </summary>
public static class UpstreamHandlerFactory
{
    public static HttpMessageInvoker Create() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        EnableMultipleHttp2Connections = true,

        // Tracing is added explicitly where it is wanted, not by the handler on every call.
        ActivityHeadersPropagator = null,
    }, disposeHandler: true);
}
