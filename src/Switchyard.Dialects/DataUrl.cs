namespace Switchyard.Dialects;

/// <summary>RFC 2397 <c>data:</c> URLs carrying base64 payloads, as OpenAI uses for inline images and files.</summary>
public static class DataUrl
{
    public static bool TryParse(string? url, out string? mediaType, out string? base64Data)
    {
        mediaType = null;
        base64Data = null;
        if (url is null || !url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var comma = url.IndexOf(',', StringComparison.Ordinal);
        var header = comma < 0 ? string.Empty : url[5..comma];
        if (comma < 0 || !header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        mediaType = header[..^7];
        base64Data = url[(comma + 1)..];
        return true;
    }

    public static string Format(string mediaType, string base64Data) => $"data:{mediaType};base64,{base64Data}";
}
