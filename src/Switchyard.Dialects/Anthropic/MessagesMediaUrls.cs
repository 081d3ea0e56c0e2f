namespace Switchyard.Dialects.Anthropic;

/// <summary>
/// Media by URL in a Messages request: an image or document block's <c>source</c> of type
/// <c>url</c> (anywhere, tool results included), and the <c>url</c> of each <c>mcp_servers</c> entry.
/// </summary>
internal static class MessagesMediaUrls
{
    private static readonly byte[][] Names = ["url"u8.ToArray(), "source"u8.ToArray(), "mcp_servers"u8.ToArray()];

    // After the names: static fields are set in the order they are written.
    public static readonly MediaUrlReader Instance = new(Names, Classify);

    private static string? Classify(int own, int parent) => (own, parent) switch
    {
        (0, 1) => "source.url",
        (0, 2) => "mcp_servers.url",
        _ => null,
    };
}
