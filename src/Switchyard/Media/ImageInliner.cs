using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Media;

/// <summary>
/// Replaces images given by http(s) URL with their bytes, for upstreams that accept only inline
/// images: at most <c>media.maxImages</c> of them and <c>media.maxInlineBytes</c> in all per request,
/// so one request cannot make the gateway hold an unbounded amount of fetched data.
/// </summary>
internal static class ImageInliner
{
    public static async Task InlineAsync(ChatRequest request, ImageFetcher fetcher, CancellationToken cancellationToken)
    {
        var remote = request.Messages.Sum(m => m.Parts.Count(IsRemoteImage));
        if (remote > fetcher.MaxImages)
        {
            throw GatewayException.InvalidRequest(
                $"The request has {remote} images by URL; the gateway fetches at most {fetcher.MaxImages} per request.", "image_url");
        }

        var remaining = fetcher.MaxInlineBytes;
        for (var i = 0; i < request.Messages.Count; i++)
        {
            var message = request.Messages[i];
            if (!message.Parts.Any(IsRemoteImage))
            {
                continue;
            }

            var parts = new List<ContentPart>(message.Parts.Count);
            foreach (var part in message.Parts)
            {
                if (part is ImagePart { Url: { } url } image && IsRemoteImage(part))
                {
                    try
                    {
                        var (data, mediaType) = await fetcher.FetchAsync(url, remaining, cancellationToken);
                        remaining -= data.Length / 4 * 3;
                        parts.Add(image with { Url = null, Base64Data = data, MediaType = mediaType });
                    }
                    catch (MediaFetchException exception)
                    {
                        throw GatewayException.InvalidRequest($"The image at '{url}' was not fetched: {exception.Message}.", "image_url");
                    }
                }
                else
                {
                    parts.Add(part);
                }
            }

            request.Messages[i] = message with { Parts = parts };
        }
    }

    private static bool IsRemoteImage(ContentPart part) =>
        part is ImagePart { Url: { } url }
        && (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
}
