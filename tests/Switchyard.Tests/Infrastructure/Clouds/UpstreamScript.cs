using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>
/// How one upstream dialect answers each <see cref="Scenario"/> (in its real wire format, whole or
/// streamed) and what its request must hold for it, so a cloud fake can play any scenario.
/// </summary>
public abstract class UpstreamScript
{
    /// <summary>Whether a client sees the upstream's reasoning as text (Azure's Chat Completions only counts it).</summary>
    public virtual bool ShowsReasoning => true;

    /// <summary>What the <see cref="Scenario.Metered"/> answer counts.</summary>
    public abstract MeteredUsage Metered { get; }

    /// <summary>The answer to turn <paramref name="turn"/> of <paramref name="scenario"/> (turn 1: after the tool result).</summary>
    public abstract Func<HttpContext, CloudRequest, Task> Answer(Scenario scenario, int turn, bool stream);

    /// <summary>Asserts that <paramref name="body"/> asks turn <paramref name="turn"/> of <paramref name="scenario"/> in this dialect.</summary>
    public abstract void AssertAsked(Scenario scenario, int turn, JsonObject body, bool stream);

    /// <summary>The text split in two, as a stream sends it.</summary>
    protected static (string, string) Halves(string text) => (text[..(text.Length / 2)], text[(text.Length / 2)..]);

    /// <summary>
    /// A tool result as the upstream got it: the client's text, or — from a Gemini client, whose
    /// results are objects — that object's JSON (<c>{"result":…}</c>).
    /// </summary>
    protected static void AssertToolResult(string? text) =>
        Assert.True(text == Story.ToolResult || (text?.StartsWith('{') == true && (string?)JsonNode.Parse(text)!["result"] == Story.ToolResult), text);

    protected static void AssertJson(string expected, JsonNode? actual, JsonNode? context = null) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), (context ?? actual)?.ToJsonString() ?? "null");
}
