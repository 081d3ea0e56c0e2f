namespace Switchyard.Media;

/// <summary>How much of a multipart upload the gateway reads: parts in all, and bytes of each non-file field.</summary>
/// <param name="MaxFields">Most parts, the file included (<c>media.maxUploadFields</c>).</param>
/// <param name="MaxFieldBytes">Largest non-file field (<c>media.maxUploadFieldBytes</c>).</param>
internal sealed record UploadLimits(int MaxFields, int MaxFieldBytes)
{
    public static UploadLimits Of(Configuration.MediaOptions media) => new(media.MaxUploadFields, media.MaxUploadFieldBytes);
}
