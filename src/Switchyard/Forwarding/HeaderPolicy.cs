using Microsoft.AspNetCore.Http;

namespace Switchyard.Forwarding;

/// <summary>
/// Which client headers reach an upstream. An allow-list: the client's credentials and anything
/// hop-by-hop never do; the provider's own key is added by <see cref="UpstreamClient"/>.
/// </summary>
public static class HeaderPolicy
{
    private static readonly string[] Forwarded = ["anthropic-version", "anthropic-beta", "openai-beta", "traceparent", "tracestate"];

    public static IEnumerable<KeyValuePair<string, string>> FromClient(HttpRequest request)
    {
        foreach (var name in Forwarded)
        {
            if (request.Headers.TryGetValue(name, out var value) && value.Count > 0)
            {
                yield return new(name, value.ToString());
            }
        }
    }
}
