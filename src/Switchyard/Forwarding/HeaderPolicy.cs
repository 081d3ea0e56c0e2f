using Microsoft.AspNetCore.Http;
using Switchyard.Catalog;

namespace Switchyard.Forwarding;

/// <summary>
/// Which client headers reach an upstream. An allow-list: the client's credentials and anything
/// hop-by-hop never do; the provider's own key is added by <see cref="UpstreamClient"/>. A
/// provider's own protocol headers go to that provider's upstreams only.
/// </summary>
public static class HeaderPolicy
{
    /// <summary>Each forwarded header and the provider type it belongs to (null: every upstream).</summary>
    private static readonly (string Name, ProviderType? Only)[] Forwarded =
    [
        ("anthropic-version", ProviderType.Anthropic),
        ("anthropic-beta", ProviderType.Anthropic),
        ("openai-beta", ProviderType.OpenAI),
        ("traceparent", null),
        ("tracestate", null),
    ];

    public static IEnumerable<KeyValuePair<string, string>> FromClient(HttpRequest request, ProviderType provider)
    {
        foreach (var (name, only) in Forwarded)
        {
            if ((only is null || only == provider) && request.Headers.TryGetValue(name, out var value) && value.Count > 0)
            {
                yield return new(name, value.ToString());
            }
        }
    }
}
