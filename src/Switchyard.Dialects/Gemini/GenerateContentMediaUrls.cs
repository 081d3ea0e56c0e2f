using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Gemini;

/// <summary>Media by URL in a Gemini request: <c>fileData.fileUri</c>, in either of the JSON spellings the API accepts.</summary>
internal sealed class GenerateContentMediaUrls : IMediaUrlReader
{
    public static readonly GenerateContentMediaUrls Instance = new();

    private static readonly byte[][] Names = ["fileUri"u8.ToArray(), "file_uri"u8.ToArray()];

    public void Read(ReadOnlySpan<byte> body, ICollection<MediaUrl> urls) => MediaUrlScanner.Scan(body, Names, Classify, urls);

    private static string? Classify(int own, int parent) => own >= 0 ? "fileData.fileUri" : null;
}
