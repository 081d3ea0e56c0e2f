namespace Switchyard.Dialects.Gemini;

/// <summary>Media by URL in a Gemini request: <c>fileData.fileUri</c>, in either of the JSON spellings the API accepts.</summary>
internal static class GenerateContentMediaUrls
{
    private static readonly byte[][] Names = ["fileUri"u8.ToArray(), "file_uri"u8.ToArray()];

    // After the names: static fields are set in the order they are written.
    public static readonly MediaUrlReader Instance = new(Names, Classify);

    private static string? Classify(int own, int parent) => own >= 0 ? "fileData.fileUri" : null;
}
