using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Media;

/// <summary>Replaces images given by http(s) URL with their bytes, for upstreams that accept only inline images.</summary>
internal static class ImageInliner
{
    public static async Task InlineAsync(ChatRequest request, ImageFetcher fetcher, CancellationToken cancellationToken)
    {
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
                        var (data, mediaType) = await fetcher.FetchAsync(url, cancellationToken);
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
