namespace Switchyard.Configuration;

internal sealed class MediaOptions
{
    /// <summary>Hosts images may be fetched from even though they resolve to private or loopback addresses.</summary>
    public List<string> AllowHosts { get; set; } = [];

    /// <summary>Largest single image the gateway fetches.</summary>
    public long MaxBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>Most images by URL one request may carry where the gateway fetches or checks them.</summary>
    public int MaxImages { get; set; } = 16;

    /// <summary>Most bytes of images the gateway fetches for one request, all together.</summary>
    public long MaxInlineBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Most parts (fields and the file) of one multipart upload.</summary>
    public int MaxUploadFields { get; set; } = 32;

    /// <summary>Largest value of one non-file field of a multipart upload.</summary>
    public int MaxUploadFieldBytes { get; set; } = 64 * 1024;
}
