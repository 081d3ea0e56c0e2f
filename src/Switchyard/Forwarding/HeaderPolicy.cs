using Microsoft.AspNetCore.Http;
using Switchyard.Catalog;

namespace Switchyard.Forwarding;

/// <summary>
/// Which client headers reach an upstream. An allow-list: the client's credentials and anything
/// hop-by-hop never do; the provider's own credentials are added when the request is signed. A
/// provider's own protocol headers (<c>anthropic-beta</c>, <c>openai-beta</c>) go to its upstreams only.
/// </summary>
internal static class HeaderPolicy
{
    private static readonly string[] TraceHeaders = ["traceparent", "tracestate"];

    public static IEnumerable<KeyValuePair<string, string>> FromClient(HttpRequest request, Provider provider)
    {
        foreach (var name in provider.ForwardedHeaders)
        {
            if (request.Headers.TryGetValue(name, out var value) && value.Count > 0)
            {
                yield return new(name, value.ToString());
            }
        }

        foreach (var name in TraceHeaders)
        {
            if (request.Headers.TryGetValue(name, out var value) && value.Count > 0)
            {
                yield return new(name, value.ToString());
            }
        }
    }
}
