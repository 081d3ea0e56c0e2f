namespace Switchyard.Dialects.OpenAI;

/// <summary>
/// Media by URL in OpenAI-shaped requests: Chat <c>image_url.url</c> (and the bare string form
/// vLLM also takes), vLLM's <c>audio_url</c>/<c>video_url</c>, Chat and Responses <c>file_url</c>,
/// Responses <c>input_image.image_url</c>, and a Responses MCP tool's <c>server_url</c>.
/// </summary>
internal static class OpenAIMediaUrls
{
    private const int Url = 0;
    private static readonly byte[][] Names = ["url"u8.ToArray(), "image_url"u8.ToArray(), "audio_url"u8.ToArray(), "video_url"u8.ToArray(), "file_url"u8.ToArray(), "server_url"u8.ToArray()];
    private static readonly string[] Params = ["url", "image_url", "audio_url", "video_url", "file_url", "server_url"];

    // After the names and parameters: static fields are set in the order they are written.
    public static readonly MediaUrlReader Instance = new(Names, Classify);

    private static string? Classify(int own, int parent) =>
        own > Url ? Params[own]
        : own == Url && parent is > Url and < 5 ? Params[parent]
        : null;
}
