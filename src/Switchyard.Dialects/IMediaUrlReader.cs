namespace Switchyard.Dialects;

/// <summary>
/// Finds, in a request body of one dialect, the media URLs its upstream would fetch itself, so the
/// gateway can judge them before the body reaches an upstream inside a private network. Inline
/// data (<c>data:</c> URLs, base64 parts) is not reported.
/// </summary>
public interface IMediaUrlReader
{
    /// <summary>Adds every media URL of <paramref name="body"/> to <paramref name="urls"/>; stops quietly at malformed JSON (the codecs report it).</summary>
    void Read(ReadOnlySpan<byte> body, ICollection<MediaUrl> urls);
}
