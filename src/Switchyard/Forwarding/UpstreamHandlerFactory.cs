using System.Net;

namespace Switchyard.Forwarding;

/// <summary>
/// One pooled <see cref="HttpMessageInvoker"/> per provider, tuned for a proxy: no proxy, redirects,
/// cookies or decompression, no hidden retries. Timeouts are applied per request as idle timeouts.
/// </summary>
internal static class UpstreamHandlerFactory
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

        // Trace context goes out from the attempt span (SwitchyardActivity.InjectTraceContext),
        // not from whatever activity the handler would find current.
        ActivityHeadersPropagator = null,
    }, disposeHandler: true);
}
