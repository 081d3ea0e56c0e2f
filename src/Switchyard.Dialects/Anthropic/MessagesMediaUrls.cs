using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Anthropic;

/// <summary>
/// Media by URL in a Messages request: an image or document block's <c>source</c> of type
/// <c>url</c> (anywhere, tool results included), and the <c>url</c> of each <c>mcp_servers</c> entry.
/// </summary>
internal sealed class MessagesMediaUrls : IMediaUrlReader
{
    public static readonly MessagesMediaUrls Instance = new();

    private static readonly byte[][] Names = ["url"u8.ToArray(), "source"u8.ToArray(), "mcp_servers"u8.ToArray()];

    public void Read(ReadOnlySpan<byte> body, ICollection<MediaUrl> urls) => MediaUrlScanner.Scan(body, Names, Classify, urls);

    private static string? Classify(int own, int parent) => (own, parent) switch
    {
        (0, 1) => "source.url",
        (0, 2) => "mcp_servers.url",
        _ => null,
    };
}
