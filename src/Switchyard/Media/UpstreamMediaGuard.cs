using System.Collections.Concurrent;
using System.Net;
using Switchyard.Catalog;
using Switchyard.Configuration;
using Switchyard.Dialects;

namespace Switchyard.Media;

/// <summary>
/// Holds the media URLs of a request to the gateway's own address policy before the request goes
/// to an upstream inside a private network (a self-hosted vLLM at 10.0.0.5 fetches image URLs from
/// where it stands, so a client could use it to reach the network the gateway protects). Public
/// upstreams fetch from the internet, where the policy has nothing to add, and are not checked.
/// The URLs are read from the client's body in the client's dialect, which covers the passthrough
/// and the translated path alike: translation carries URLs over, it does not invent them.
/// </summary>
internal sealed class UpstreamMediaGuard
{
    private static readonly TimeSpan ProviderRecheck = TimeSpan.FromMinutes(1);

    private readonly CurrentMediaPolicy _media;
    private readonly HostResolver _resolve;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (bool Private, DateTimeOffset Until)> _providers = new(StringComparer.Ordinal); // by base URL

    public UpstreamMediaGuard(MediaOptions options, TimeProvider time, HostResolver? resolve = null)
        : this(() => options, time, resolve)
    {
    }

    /// <param name="options">The <c>media</c> settings in force, read on every check so a reload applies.</param>
    /// <param name="time">The clock the cache of providers' addresses runs on.</param>
    /// <param name="resolve">Name resolution, for tests; DNS otherwise.</param>
    public UpstreamMediaGuard(Func<MediaOptions> options, TimeProvider time, HostResolver? resolve = null)
    {
        _resolve = resolve ?? ((host, cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken));
        _media = new CurrentMediaPolicy(options, _resolve);
        _time = time;
    }

    /// <summary>Throws the 400 that refuses the request when it carries a media URL the provider must not be sent.</summary>
    /// <param name="urls">The request's first media URLs, read from its body in the client's dialect (<c>GatewayRequest.MediaUrls</c>).</param>
    /// <param name="count">How many the body carries, <paramref name="urls"/> and any not kept.</param>
    /// <param name="provider">The provider the request is about to be sent to.</param>
    /// <param name="cancellationToken">The request's.</param>
    public async Task CheckAsync(IReadOnlyList<MediaUrl> urls, int count, Provider provider, CancellationToken cancellationToken)
    {
        // The provider's answer is remembered, so a public upstream costs no lookup.
        if (count == 0 || provider.Invoker is null || !await IsPrivateAsync(provider, cancellationToken))
        {
            return;
        }

        // More than were kept (media.maxImages, or less if a reload raised it since) cannot all be judged: refused.
        var maxUrls = Math.Min(_media.Options.MaxImages, urls.Count);
        if (count > maxUrls)
        {
            throw GatewayException.InvalidRequest(
                $"The request has {count} media URLs; at most {maxUrls} may be sent to this model.", urls[0].Param);
        }

        foreach (var (url, param) in urls.DistinctBy(u => u.Url))
        {
            if (await _media.Policy.RefusalAsync(url, cancellationToken) is { } reason)
            {
                throw GatewayException.InvalidRequest(
                    $"The URL '{url}' cannot be sent to this model, which runs inside a private network: {reason}.", param);
            }
        }
    }

    /// <summary>
    /// The provider's base URL is a private, loopback or link-local address, literal or resolved
    /// (any of its addresses), or does not resolve at all: fail closed. Remembered for a minute.
    /// </summary>
    public async ValueTask<bool> IsPrivateAsync(Provider provider, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_providers.TryGetValue(provider.BaseUrl, out var known) && known.Until > now)
        {
            return known.Private;
        }

        if (!Uri.TryCreate(provider.BaseUrl, UriKind.Absolute, out var baseUrl))
        {
            return true;
        }

        var host = baseUrl.IdnHost;

        bool isPrivate;
        if (IPAddress.TryParse(host, out var literal))
        {
            isPrivate = AddressPolicy.Refusal(literal) is not null;
        }
        else
        {
            try
            {
                var addresses = await _resolve(host, cancellationToken);
                isPrivate = addresses.Length == 0 || addresses.Any(a => AddressPolicy.Refusal(a) is not null);
            }
            catch (System.Net.Sockets.SocketException)
            {
                isPrivate = true;
            }
        }

        _providers[provider.BaseUrl] = (isPrivate, now + ProviderRecheck);
        return isPrivate;
    }
}
