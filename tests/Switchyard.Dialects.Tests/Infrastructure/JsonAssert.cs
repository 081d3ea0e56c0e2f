using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchyard.Dialects.Tests.Infrastructure;

/// <summary>Semantic JSON comparison: property order and formatting never matter, values do.</summary>
internal static class JsonAssert
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Equal(JsonNode? expected, JsonNode? actual)
    {
        if (!JsonNode.DeepEquals(expected, actual))
        {
            // Fall back to a textual diff so the failure shows where the documents part.
            Assert.Equal(expected?.ToJsonString(Indented), actual?.ToJsonString(Indented));
            Assert.Fail("The documents differ only in property order, which DeepEquals ignores; this cannot happen.");
        }
    }

    public static JsonNode Parse(ReadOnlySpan<byte> json) =>
        JsonNode.Parse(json) ?? throw new InvalidOperationException("JSON null.");

    public static JsonNode Parse(string json) =>
        JsonNode.Parse(json) ?? throw new InvalidOperationException("JSON null.");

    /// <summary>A copy with every null-valued property removed, at any depth (absent and null mean the same on these wires).</summary>
    public static JsonNode? WithoutNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (name, value) in obj)
                {
                    if (value is not null)
                    {
                        copy[name] = WithoutNulls(value);
                    }
                }

                return copy;
            case JsonArray array:
                return new JsonArray(array.Select(WithoutNulls).ToArray());
            default:
                return node?.DeepClone();
        }
    }
}
