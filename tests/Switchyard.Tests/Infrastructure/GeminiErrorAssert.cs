using System.Net;
using System.Text.Json.Nodes;

namespace Switchyard.Tests.Infrastructure;

/// <summary>Checks Google's error envelope <c>{"error":{"code","message","status"}}</c> (docs/behaviour.md).</summary>
public static class GeminiErrorAssert
{
    /// <summary>Asserts status, envelope, code and status name; returns the <c>error</c> object for further checks.</summary>
    public static async Task<JsonObject> ReadAsync(HttpResponseMessage response, HttpStatusCode status, string statusName)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return Envelope(body, (int)status, statusName);
    }

    public static JsonObject Envelope(string body, int code, string statusName)
    {
        var root = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(["error"], root.Select(p => p.Key));
        var error = root["error"]!.AsObject();
        Assert.Equal(["code", "message", "status"], error.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(code, (int?)error["code"]);
        Assert.Equal(statusName, (string?)error["status"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
        OpenAIErrorAssert.AssertNothingInternal(body);
        return error;
    }
}
