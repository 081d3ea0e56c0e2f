using System.Net;
using System.Text.Json.Nodes;

namespace Switchyard.Tests.Infrastructure;

/// <summary>Checks Anthropic's error envelope <c>{"type":"error","error":{"type","message"}}</c> (docs/behaviour.md).</summary>
public static class AnthropicErrorAssert
{
    /// <summary>Asserts status, envelope and error type; returns the <c>error</c> object for further checks.</summary>
    public static async Task<JsonObject> ReadAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return Envelope(body, type);
    }

    public static JsonObject Envelope(string body, string type)
    {
        var root = JsonNode.Parse(body)!.AsObject();
        Assert.Equal("error", (string?)root["type"]);
        Assert.Empty(root.Select(p => p.Key).Except(["type", "error", "request_id"]));
        var error = root["error"]!.AsObject();
        Assert.Equal(["message", "type"], error.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(type, (string?)error["type"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
        OpenAIErrorAssert.AssertNothingInternal(body);
        return error;
    }
}
