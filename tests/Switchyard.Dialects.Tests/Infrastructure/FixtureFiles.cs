using System.Text.Json.Nodes;

namespace Switchyard.Dialects.Tests.Infrastructure;

/// <summary>Raw wire bodies under <c>Fixtures/&lt;dialect&gt;/</c>, copied next to the test assembly.</summary>
internal static class FixtureFiles
{
    public static byte[] Bytes(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public static JsonNode Json(string name) =>
        JsonNode.Parse(Bytes(name)) ?? throw new InvalidOperationException($"Fixture {name} is JSON null.");
}
