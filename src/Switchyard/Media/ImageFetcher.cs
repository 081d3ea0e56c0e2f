using System.Net;
using System.Net.Sockets;
using Switchyard.Configuration;

namespace Switchyard.Media;

/// <summary>
/// Fetches images by URL for upstreams that cannot fetch them themselves (docs/behaviour.md). Only public
/// addresses, checked after DNS and on every redirect; the connection goes to the very address that
/// was checked (no second lookup an attacker could rebind); at most <c>media.maxBytes</c>; image
/// content types only; a short timeout. Hosts in <c>media.allowHosts</c> skip the address check.
/// A name with several addresses is refused if any of them is not public, and each is tried in turn.
/// </summary>
internal sealed class ImageFetcher : IDisposable
{
    private const int MaxRedirects = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly CurrentMediaPolicy _media;
    private readonly HttpMessageInvoker _client;

    public ImageFetcher(MediaOptions options, HostResolver? resolve = null)
        : this(() => options, resolve)
    {
    }

    /// <param name="options">The <c>media</c> settings in force, read on every fetch so a reload applies.</param>
    /// <param name="resolve">Name resolution, for tests; DNS otherwise.</param>
    public ImageFetcher(Func<MediaOptions> options, HostResolver? resolve = null)
    {
        _media = new CurrentMediaPolicy(options, resolve);
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ConnectCallback = ConnectAsync,
        });
    }

    /// <summary>Most images one request may have fetched (<c>media.maxImages</c>).</summary>
    public int MaxImages => _media.Options.MaxImages;

    /// <summary>Most bytes of images one request may have fetched, all together (<c>media.maxInlineBytes</c>).</summary>
    public long MaxInlineBytes => _media.Options.MaxInlineBytes;

    /// <summary>The image as base64 and its media type; throws <see cref="MediaFetchException"/> saying why not.</summary>
    /// <param name="url">The image's http(s) URL.</param>
    /// <param name="maxBytes">This image's cap when the request's remaining allowance is below <c>media.maxBytes</c>.</param>
    /// <param name="cancellationToken">The request's.</param>
    public async Task<(string Base64, string MediaType)> FetchAsync(string url, long? maxBytes, CancellationToken cancellationToken)
    {
        var cap = Math.Min(_media.Options.MaxBytes, maxBytes ?? long.MaxValue);
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

                if (response.Content.Headers.ContentLength > cap)
                {
                    throw TooLarge(cap);
                }

                var bytes = await ReadCappedAsync(response, cap, timeout.Token);
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
        catch (IOException)
        {
            // A server that resets or closes mid-image: the client's URL is at fault, not the gateway.
            throw new MediaFetchException("the image server closed the connection before the image was complete");
        }
    }

    private string TooLargeMessage(long cap) => cap < _media.Options.MaxBytes
        ? $"the request's images together are larger than the gateway's limit of {MaxInlineBytes} bytes"
        : $"the image is larger than the gateway's limit of {_media.Options.MaxBytes} bytes";

    private MediaFetchException TooLarge(long cap) => new(TooLargeMessage(cap));

    private async Task<byte[]> ReadCappedAsync(HttpResponseMessage response, long cap, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > cap)
            {
                throw TooLarge(cap);
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
        var policy = _media.Policy;
        var (addresses, refusal) = await policy.ResolveAsync(host, cancellationToken);
        if (refusal is not null && !policy.Allows(host))
        {
            throw new MediaFetchException($"the image URL is refused: {refusal}");
        }

        if (addresses.Length == 0)
        {
            throw new MediaFetchException($"the image host '{host}' does not resolve");
        }

        // Every address was judged above; connect to the first that answers.
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException exception)
            {
                socket.Dispose();
                last = exception;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new MediaFetchException("the image host could not be reached", last!);
    }

    public void Dispose() => _client.Dispose();
}
