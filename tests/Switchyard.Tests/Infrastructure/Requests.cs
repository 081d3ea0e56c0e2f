using System.Text;
using System.Text.Json.Nodes;

namespace Switchyard.Tests.Infrastructure;

/// <summary>Small builders and readers for raw HTTP tests.</summary>
public static class Requests
{
    /// <summary>A body sent exactly as written, as a client with its own serializer would send it.</summary>
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A message content or an input as text, whether sent as a string or as text parts.</summary>
    public static string? TextOf(JsonNode? content) => content switch
    {
        JsonValue value => (string?)value,
        JsonArray parts => string.Concat(parts.Select(p => p is JsonValue v ? (string?)v : (string?)p?["text"])),
        _ => null,
    };
}
