using System.Text.Json.Nodes;

namespace Switchyard.Tests.Infrastructure;

/// <summary>Raw wire bodies under <c>Fixtures/&lt;dialect&gt;/</c>, copied next to the test assembly.</summary>
public static class FixtureFiles
{
    public static string Text(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public static JsonNode Json(string name) =>
        JsonNode.Parse(Text(name)) ?? throw new InvalidOperationException($"Fixture {name} is JSON null.");
}
