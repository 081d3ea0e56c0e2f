using System.Text;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Tests;

/// <summary>Each dialect's media URLs are found wherever its wire format allows them, and inline data is not.</summary>
public sealed class MediaUrlReadersTests
{
    [Theory]
    [InlineData("openai-chat", """{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://a.example/1.png","detail":"low"}},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}""", "https://a.example/1.png|image_url")]
    [InlineData("openai-chat", """{"messages":[{"role":"user","content":[{"type":"video_url","video_url":{"url":"http://v.example/v.mp4"}},{"type":"image_url","image_url":"http://b.example/2.png"}]}]}""", "http://v.example/v.mp4|video_url", "http://b.example/2.png|image_url")]
    [InlineData("openai-chat", """{"messages":[{"role":"user","content":"see https://a.example/x.png"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"url":{"type":"string"},"image_url":{"type":"string"}}}}}]}""")]
    [InlineData("openai-responses", """{"input":[{"role":"user","content":[{"type":"input_image","image_url":"https://a.example/1.png"},{"type":"input_file","file_url":"https://a.example/f.pdf"}]}],"tools":[{"type":"mcp","server_url":"https://mcp.example/sse"}]}""", "https://a.example/1.png|image_url", "https://a.example/f.pdf|file_url", "https://mcp.example/sse|server_url")]
    [InlineData("anthropic-messages", """{"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://a.example/1.png"}},{"type":"tool_result","tool_use_id":"t","content":[{"type":"document","source":{"type":"url","url":"https://a.example/d.pdf"}}]}]}],"mcp_servers":[{"type":"url","url":"https://mcp.example","name":"x"}]}""", "https://a.example/1.png|source.url", "https://a.example/d.pdf|source.url", "https://mcp.example|mcp_servers.url")]
    [InlineData("anthropic-messages", """{"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}},{"type":"search_result","source":"https://a.example","title":"t","content":[]}]}]}""")]
    [InlineData("gemini-generate", """{"contents":[{"parts":[{"fileData":{"mimeType":"image/png","fileUri":"https://a.example/1.png"}},{"file_data":{"file_uri":"gs://bucket/x"}},{"inlineData":{"mimeType":"image/png","data":"AAAA"}}]}]}""", "https://a.example/1.png|fileData.fileUri", "gs://bucket/x|fileData.fileUri")]
    public void Finds_every_media_url_of_a_request(string dialect, string json, params string[] expected)
    {
        var urls = new List<MediaUrl>();
        var body = Encoding.UTF8.GetBytes(json);
        var shared = Reader(dialect).Tokens();

        Reader(dialect).Read(body, urls);
        new JsonTopLevel().RescanEveryToken(body, ref shared);

        Assert.Equal(expected, urls.Select(u => $"{u.Url}|{u.Param}"));
        Assert.Equal(expected, (shared.Found ?? []).Select(u => $"{u.Url}|{u.Param}"));
        Assert.Equal(expected.Length, shared.Count);
    }

    [Fact]
    public void Reads_escaped_names_and_values_and_stops_quietly_at_malformed_json()
    {
        var urls = new List<MediaUrl>();

        Reader("openai-chat").Read("""
            {"messages":[{"content":[{"image\u005furl":{"url":"http:\/\/a.example\/1.png"}},{"image_url":{"url":"http://b.example/"},
            """u8, urls);

        Assert.Equal(["http://a.example/1.png", "http://b.example/"], urls.Select(u => u.Url));
    }

    [Fact]
    public void Past_the_urls_kept_escaped_inline_data_is_told_from_an_escaped_url()
    {
        // Short and long (past the stack buffer) escaped data: strings are inline data; escaped URLs count.
        var longData = "\\u0044\\u0041TA:image/png;base64," + new string('A', 400);
        var body = Encoding.UTF8.GetBytes($$$"""
            {"messages":[{"content":[
            {"image_url":{"url":"https://a.example/kept.png"}},
            {"image_url":{"url":"\u0064ata:image/png;base64,AAAA"}},
            {"image_url":{"url":"{{{longData}}}"}},
            {"image_url":{"url":"http:\/\/b.example\/1.png"}},
            {"image_url":{"url":"\u0068ttps://c.example/2.png"}}]}]}
            """);
        var shared = Reader("openai-chat").Tokens(keep: 1);

        new JsonTopLevel().RescanEveryToken(body, ref shared);

        Assert.Equal(["https://a.example/kept.png"], (shared.Found ?? []).Select(u => u.Url));
        Assert.Equal(3, shared.Count);
    }

    [Fact]
    public void Nesting_past_the_readers_depth_ends_the_pass_quietly_alone_and_with_a_400_in_the_shared_pass()
    {
        var deep = Encoding.UTF8.GetBytes("""{"messages":[{"content":[{"image_url":{"url":"http://a.example/1.png"}}]}],"x":"""
            + new string('[', 300) + new string(']', 300) + "}");
        var urls = new List<MediaUrl>();
        var shared = Reader("openai-chat").Tokens();

        Reader("openai-chat").Read(deep, urls);
        var refused = Assert.Throws<GatewayException>(() => new JsonTopLevel().RescanEveryToken(deep, ref shared));

        Assert.Equal(["http://a.example/1.png"], urls.Select(u => u.Url));
        Assert.Equal(400, refused.Error.Status);
    }

    /// <summary>The reader a registered dialect reports as its capability.</summary>
    private static MediaUrlReader Reader(string dialect) =>
        DialectRegistry.All.Where(d => d.Name == dialect).OfType<IClientDialect>().Single().MediaUrls!;
}
