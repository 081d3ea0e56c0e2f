using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace YarpRelay;

/// <summary>
/// YARP's default request transform (every request header copied but the protocol ones), then
/// the fixed upstream address, its own Host and the upstream's key in place of the client's.
/// </summary>
internal sealed class UpstreamTransformer(Uri upstream, string authorization) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.RequestUri = upstream;
        proxyRequest.Headers.Host = null;
        proxyRequest.Headers.Remove(HeaderNames.Authorization);
        proxyRequest.Headers.TryAddWithoutValidation(HeaderNames.Authorization, authorization);
    }
}
