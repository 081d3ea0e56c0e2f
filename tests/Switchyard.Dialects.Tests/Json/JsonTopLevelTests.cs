using System.Text;
using System.Text.Json;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Tests.Json;

public sealed class JsonTopLevelTests
{
    [Fact]
    public void Finds_each_property_and_its_value()
    {
        var body = """{ "model" : "gpt-4o", "messages":[{"a":[1,2]}], "stream":true, "n":2, "user":null }"""u8.ToArray();

        var topLevel = JsonTopLevel.Scan(body);

        Assert.Equal(5, topLevel.Count);
        Assert.True(topLevel.TryGet(body, "messages"u8, out var messages));
        Assert.Equal("""[{"a":[1,2]}]""", Encoding.UTF8.GetString(body[messages.Value]));
        Assert.Equal(JsonTokenType.StartArray, messages.ValueKind);
        Assert.Equal("\"model\" : \"gpt-4o\"", Encoding.UTF8.GetString(body[topLevel.Properties[0].Whole]));
        Assert.Equal(3, topLevel.IndexOf(body, "n"u8));
        Assert.Equal(-1, topLevel.IndexOf(body, "nope"u8));
        Assert.Equal(-1, topLevel.IndexOf(body, "a"u8));
    }

    [Fact]
    public void Reads_typed_values()
    {
        var body = """{"model":"caf\u00e9","stream":false,"temperature":0.5,"user":null}"""u8.ToArray();

        var topLevel = JsonTopLevel.Scan(body);

        Assert.Equal("café", topLevel.GetString(body, "model"u8));
        Assert.False(topLevel.GetBoolean(body, "stream"u8));
        Assert.Equal(0.5, topLevel.GetNumber(body, "temperature"u8));
        Assert.Null(topLevel.GetString(body, "user"u8));
        Assert.Null(topLevel.GetBoolean(body, "absent"u8));
        Assert.Null(topLevel.GetNumber(body, "absent"u8));
    }

    [Theory]
    [InlineData("""{"model":7}""", "model")]
    [InlineData("""{"stream":"true"}""", "stream")]
    [InlineData("""{"temperature":"hot"}""", "temperature")]
    public void Names_a_top_level_value_of_the_wrong_type(string json, string param)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var topLevel = JsonTopLevel.Scan(body);

        var exception = Assert.Throws<GatewayException>(() => param switch
        {
            "model" => (object?)topLevel.GetString(body, "model"u8),
            "stream" => topLevel.GetBoolean(body, "stream"u8),
            _ => topLevel.GetNumber(body, "temperature"u8),
        });

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal(param, exception.Error.Param);
    }

    [Fact]
    public void Matches_escaped_property_names()
    {
        var body = """{"\u006dodel":"a","str\u0065am":true}"""u8.ToArray();

        var topLevel = JsonTopLevel.Scan(body);

        Assert.Equal(0, topLevel.IndexOf(body, "model"u8));
        Assert.Equal("a", topLevel.GetString(body, "model"u8));
        Assert.True(topLevel.GetBoolean(body, "stream"u8));
        Assert.Equal(-1, topLevel.IndexOf(body, "\\u006dodel"u8));
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"model\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{\"model\":")]
    [InlineData("{\"model\":\"a\"")]
    [InlineData("{\"model\":\"a\",}")]
    [InlineData("{\"model\":\"a\"} {}")]
    [InlineData("{\"model\":\"a\"}x")]
    [InlineData("{\"a\":1 /* c */}")]
    public void Rejects_a_body_that_is_not_one_json_object(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);

        var exception = Assert.Throws<GatewayException>(() => JsonTopLevel.Scan(body));
        var everyToken = Assert.Throws<GatewayException>(() =>
        {
            var tokens = new TokenRecorder([]);
            new JsonTopLevel().RescanEveryToken(body, ref tokens);
        });

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal(400, exception.Error.Status);
        Assert.Equal(exception.Error.Status, everyToken.Error.Status);
    }

    [Theory]
    [InlineData("""{ "model" : "gpt-4o", "messages":[{"a":[1,2]},[],{}], "stream":true, "n":2.5e3, "user":null, "x":{"y":{"z":[{}]}}, "e":"\u00e9\"" }""")]
    [InlineData("""{}""")]
    [InlineData(""" {"a":[]} """)]
    [InlineData("""{"\u006dodel":{"b":"c"},"t":[[["deep"]]],"f":false}""")]
    public void Rescanning_every_token_indexes_as_a_rescan_does_and_shows_each_token_once(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var expected = new List<(JsonTokenType, int)>();
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            expected.Add((reader.TokenType, reader.CurrentDepth));
        }

        var tokens = new TokenRecorder([]);
        var topLevel = new JsonTopLevel();
        topLevel.RescanEveryToken(body, ref tokens);

        Assert.Equal(JsonTopLevel.Scan(body).Properties.ToArray(), topLevel.Properties.ToArray());
        Assert.Equal(expected, tokens.Seen);
    }

    /// <summary>Writes down each token it is shown, with its depth.</summary>
    private readonly struct TokenRecorder(List<(JsonTokenType, int)> seen) : IJsonTokenSink
    {
        public List<(JsonTokenType, int)> Seen => seen;

        public void OnToken(ref Utf8JsonReader reader) => seen.Add((reader.TokenType, reader.CurrentDepth));
    }

    [Fact]
    public void Rescans_a_new_body()
    {
        var first = """{"a":1,"b":2,"c":3}"""u8.ToArray();
        var second = """{"z":true}"""u8.ToArray();
        var topLevel = JsonTopLevel.Scan(first);

        topLevel.Rescan(second);

        Assert.Equal(1, topLevel.Count);
        Assert.True(topLevel.GetBoolean(second, "z"u8));
        Assert.Equal(-1, topLevel.IndexOf(second, "a"u8));
    }
}
