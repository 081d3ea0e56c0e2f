using System.Net;
using System.Net.Sockets;
using Switchyard.Configuration;

namespace Switchyard.Media;

/// <summary>
/// Fetches images by URL for upstreams that cannot fetch them themselves (docs/behaviour.md). Only public
/// addresses, checked after DNS and on every redirect; the connection goes to the very address that
/// was checked (no second lookup an attacker could rebind); at most <c>media.maxBytes</c>; image
/// content types only; a short timeout. Hosts in <c>media.allowHosts</c> skip the address check.
/// </summary>
internal sealed class ImageFetcher : IDisposable
{
    private const int MaxRedirects = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly HashSet<string> _allowHosts;
    private readonly long _maxBytes;
    private readonly HttpMessageInvoker _client;

    public ImageFetcher(MediaOptions options)
    {
        _allowHosts = new HashSet<string>(options.AllowHosts, StringComparer.OrdinalIgnoreCase);
        _maxBytes = options.MaxBytes;
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ConnectCallback = ConnectAsync,
        });
    }

    /// <summary>The image as base64 and its media type; throws <see cref="MediaFetchException"/> saying why not.</summary>
    public async Task<(string Base64, string MediaType)> FetchAsync(string url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var target = Parse(url);
        try
        {
            for (var redirects = 0; ; redirects++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, target);
                using var response = await _client.SendAsync(request, timeout.Token);
                if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    if (redirects == MaxRedirects)
                    {
                        throw new MediaFetchException($"the image URL redirects more than {MaxRedirects} times");
                    }

                    target = Parse(new Uri(target, location).ToString());
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new MediaFetchException($"fetching the image failed with HTTP {(int)response.StatusCode}");
                }

                var mediaType = response.Content.Headers.ContentType?.MediaType;
                if (mediaType is null || !mediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
                {
                    throw new MediaFetchException($"the URL does not serve an image (content type {mediaType ?? "none"})");
                }

                if (response.Content.Headers.ContentLength > _maxBytes)
                {
                    throw new MediaFetchException($"the image is larger than the gateway's limit of {_maxBytes} bytes");
                }

                var bytes = await ReadCappedAsync(response, timeout.Token);
                return (Convert.ToBase64String(bytes), mediaType);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MediaFetchException("fetching the image timed out");
        }
        catch (HttpRequestException exception)
        {
            // The address check runs inside the connect callback; its reason is the inner exception.
            throw exception.InnerException as MediaFetchException ?? new MediaFetchException("the image could not be fetched");
        }
    }

    private async Task<byte[]> ReadCappedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > _maxBytes)
            {
                throw new MediaFetchException($"the image is larger than the gateway's limit of {_maxBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static Uri Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new MediaFetchException("the image URL must be an absolute http or https URL");
        }

        return uri;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new MediaFetchException($"the image host '{host}' does not resolve");
        }

        if (!_allowHosts.Contains(host))
        {
            foreach (var address in addresses)
            {
                if (AddressPolicy.Refusal(address) is { } reason)
                {
                    throw new MediaFetchException($"the image host '{host}' resolves to {reason}, which the gateway does not fetch from");
                }
            }
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses[0], context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _client.Dispose();
}
