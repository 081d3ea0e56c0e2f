using System.Text;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;
using Switchyard.Metering;
using Switchyard.Pipeline;

namespace Switchyard.Tests.Pipeline;

/// <summary>
/// A request body is read once for its top level, its input's byte bound and its media URLs
/// (<see cref="GatewayRequest.IndexBody"/>): each comes out as its own reader finds it alone.
/// </summary>
public sealed class BodyIndexTests
{
    private static readonly string[] Dialects = ["openai-chat", "openai-responses", "anthropic-messages", "gemini-generate"];

    [Fact]
    public void One_pass_finds_what_each_reader_finds_alone()
    {
        Gen.Select(AnyOf(Dialects), Body).Sample((dialectName, json) =>
        {
            var body = Encoding.UTF8.GetBytes(json);
            var dialect = DialectRegistry.All.Where(d => d.Name == dialectName).OfType<IClientDialect>().Single();
            var request = new GatewayRequest(new DefaultHttpContext()) { Dialect = dialect };

            request.IndexBody(body, int.MaxValue);

            var urls = new List<MediaUrl>();
            dialect.MediaUrls!.Read(body, urls);
            Assert.Equal(JsonTopLevel.Scan(body).Properties.ToArray(), request.TopLevel.Properties.ToArray());
            Assert.Equal(TokenEstimator.Bound(body), request.InputBound);
            Assert.Equal(urls, request.MediaUrls);
        }, iter: 2_000);
    }

    [Fact]
    public void Keeping_fewer_urls_keeps_the_first_and_counts_every_one()
    {
        Gen.Select(AnyOf(Dialects), Body, Gen.Int[0, 4]).Sample((dialectName, json, keep) =>
        {
            var body = Encoding.UTF8.GetBytes(json);
            var dialect = DialectRegistry.All.Where(d => d.Name == dialectName).OfType<IClientDialect>().Single();
            var request = new GatewayRequest(new DefaultHttpContext()) { Dialect = dialect };

            request.IndexBody(body, keep);

            var urls = new List<MediaUrl>();
            dialect.MediaUrls!.Read(body, urls);
            Assert.Equal(urls.Take(keep), request.MediaUrls);
            Assert.Equal(urls.Count, request.MediaUrlCount);
        }, iter: 2_000);
    }

    [Fact]
    public void A_replaced_body_is_indexed_again()
    {
        var request = new GatewayRequest(new DefaultHttpContext()) { Dialect = DialectRegistry.All.Where(d => d.Name == "openai-chat").OfType<IClientDialect>().Single() };
        request.IndexBody("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://a.example/1.png"}}]}]}"""u8, 16);
        var replacement = """{"messages":[{"role":"user","content":"hi"}],"model":"m","store":true}"""u8.ToArray();

        request.ReplaceBody(replacement);

        Assert.Empty(request.MediaUrls);
        Assert.Equal(0, request.MediaUrlCount);
        Assert.Equal(TokenEstimator.Bound(replacement), request.InputBound);
        Assert.Equal(2, request.TopLevel.IndexOf(replacement, "store"u8));
    }

    /// <summary>Bounds worked out by hand: names and text in bytes as written, an image 2,500 tokens, other media a token per four decoded bytes; A300 is 300 base64 characters.</summary>
    [Theory]
    [InlineData("""{"a":"bc"}""", 3, 0)]
    [InlineData("""{"media_type":"image/png","data":"A300"}""", 23, 2_500)]
    [InlineData("""{"media_type":"application/pdf","data":"A400"}""", 29, 75)]
    [InlineData("""{"url":"data:image/png;base64,AAAA"}""", 3, 2_500)]
    [InlineData("""{"u":"data:application/pdf;base64,A40"}""", 1, 12)]
    [InlineData("""{"mimeType":"image/png","media_type":{},"data":"A300"}""", 31, 2_500)]
    [InlineData("""{"data":"short"}""", 9, 0)]
    [InlineData("""{"d\u0061ta":"A300"}""", 9, 56)]
    [InlineData("""{"x":[{"file_data":"A300"}],"y":[1,true,null]}""", 11, 56)]
    public void Counts_the_input_bound_in_the_same_pass(string json, long text, long media)
    {
        var request = new GatewayRequest(new DefaultHttpContext()) { Dialect = DialectRegistry.All.Where(d => d.Name == "anthropic-messages").OfType<IClientDialect>().Single() };
        json = json.Replace("A300", new string('A', 300)).Replace("A400", new string('A', 400)).Replace("A40", new string('A', 40));

        request.IndexBody(Encoding.UTF8.GetBytes(json), 16);

        Assert.Equal(new TokenEstimator.InputBound(text, media), request.InputBound);
    }

    [Fact]
    public void Keeps_the_first_media_urls_and_counts_the_rest_without_reading_them()
    {
        var request = new GatewayRequest(new DefaultHttpContext()) { Dialect = DialectRegistry.All.Where(d => d.Name == "openai-chat").OfType<IClientDialect>().Single() };
        var parts = string.Join(",", Enumerable.Range(0, 1_000).Select(i => i % 2 == 0
            ? $$$"""{"type":"image_url","image_url":{"url":"https://a.example/{{{i}}}.png"}}"""
            : """{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}"""));

        request.IndexBody(Encoding.UTF8.GetBytes($$$"""{"model":"m","messages":[{"role":"user","content":[{{{parts}}}]}]}"""), 3);

        Assert.Equal(["https://a.example/0.png", "https://a.example/2.png", "https://a.example/4.png"], request.MediaUrls.Select(u => u.Url));
        Assert.Equal(500, request.MediaUrlCount);
    }

    /// <summary>A JSON object with the names and strings media parts and their URLs are written with, nested up to four deep.</summary>
    private static Gen<string> Body => Object(4);

    private static readonly Gen<string> Name = Gen.OneOf(
        AnyOf("url", "image_url", "video_url", "file_url", "server_url", "source", "mcp_servers", "fileUri", "file_uri", "fileData",
            "data", "file_data", "media_type", "mimeType", "mime_type", "type", "content", "text", "messages", "model", "image\\u005furl", "d\\u0061ta"),
        Gen.String[Gen.Char["abcxyz_é"], 1, 10]);

    private static readonly Gen<string> Text = Gen.OneOf(
        AnyOf("https://a.example/1.png", "http://10.0.0.5/x.pdf", "gs://bucket/x", "data:image/png;base64,AAAA", "DATA:application/pdf;base64,QUJD",
            "image/png", "application/pdf", "", "http:\\/\\/b.example\\/", "caf\\u00e9 \\\"quoted\\\"", "\\u0064ata:image/png;base64,AAAA", "\\ud800lone"),
        Gen.Int[257, 600].Select(n => new string('A', n)),
        Gen.Int[257, 600].Select(n => "data:image/jpeg;base64," + new string('B', n)),
        Gen.String[Gen.Char["abc é€😀"], 0, 20]);

    private static readonly Gen<string> Scalar = Gen.OneOf(
        Text.Select(text => "\"" + text + "\""),
        AnyOf("1", "-2.5e3", "true", "false", "null"));

    private static Gen<string> Value(int depth) => depth == 0
        ? Scalar
        : Gen.Frequency((3, Scalar), (1, Object(depth - 1)), (1, Array(depth - 1)));

    private static Gen<string> Object(int depth) =>
        Gen.Select(Name, Value(depth)).Select((name, value) => "\"" + name + "\": " + value).Array[0, 5]
            .Select(properties => "{" + string.Join(",", properties) + "}");

    private static Gen<string> AnyOf(params string[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static Gen<string> Array(int depth) =>
        Value(depth).Array[0, 4].Select(values => "[" + string.Join(", ", values) + "]");
}
