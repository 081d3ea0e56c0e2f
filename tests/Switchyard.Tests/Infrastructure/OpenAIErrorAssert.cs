using System.Net;
using System.Text.Json.Nodes;

namespace Switchyard.Tests.Infrastructure;

/// <summary>Checks the OpenAI error envelope of docs/behaviour.md and that nothing internal leaks through it.</summary>
public static class OpenAIErrorAssert
{
    /// <summary>Asserts status, envelope, type and code; returns the <c>error</c> object for further checks.</summary>
    public static async Task<JsonObject> ReadAsync(HttpResponseMessage response, HttpStatusCode status, string type, string? code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return Envelope(body, type, code);
    }

    /// <summary>Asserts the shape of one <c>{"error":{"message","type","param","code"}}</c> document.</summary>
    public static JsonObject Envelope(string body, string type, string? code)
    {
        var root = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(["error"], root.Select(p => p.Key));
        var error = root["error"]!.AsObject();
        Assert.Equal(["code", "message", "param", "type"], error.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
        Assert.Equal(type, (string?)error["type"]);
        Assert.Equal(code, (string?)error["code"]);
        AssertNothingInternal(body);
        return error;
    }

    /// <summary>No stack trace, upstream key or loopback address in text a client can see.</summary>
    public static void AssertNothingInternal(string text)
    {
        Assert.DoesNotContain("sk-upstream-secret-key-123456", text, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("localhost", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }
}
