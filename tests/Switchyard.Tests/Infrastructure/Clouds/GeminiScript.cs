using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>Gemini's generateContent (https://ai.google.dev/api/generate-content), as Vertex AI serves it: thoughts are parts marked <c>thought</c>.</summary>
public sealed class GeminiScript : UpstreamScript
{
    private const int ThoughtTokens = 5;

    /// <summary>Gemini counts cached tokens inside its prompt and thoughts apart from its candidates; it has no cache writes.</summary>
    public override MeteredUsage Metered { get; } = new(1000, 2000, 0, 300, 100);

    public override Func<HttpContext, CloudRequest, Task> Answer(Scenario scenario, int turn, bool stream)
    {
        if (scenario == Scenario.Metered)
        {
            var usage = $$"""{"promptTokenCount":{{Metered.Input + Metered.CacheRead}},"cachedContentTokenCount":{{Metered.CacheRead}},"candidatesTokenCount":{{Metered.Output - Metered.Reasoning}},"thoughtsTokenCount":{{Metered.Reasoning}},"totalTokenCount":{{Metered.Input + Metered.CacheRead + Metered.Output}} }""";
            var answer = $$"""{"candidates":[{"content":{"role":"model","parts":[{"text":"{{Story.Hello}}"}]},"finishReason":"STOP","index":0}],"usageMetadata":{{usage}},"modelVersion":"gemini-2.5-pro","responseId":"resp-metered"}""";
            return stream ? (context, _) => FakeUpstream.WriteSseAsync(context, ["data: " + answer]) : (context, _) => FakeUpstream.WriteJsonAsync(context, answer);
        }

        var call = scenario == Scenario.Tools && turn == 0;
        var text = Story.Answer(scenario);
        var thought = scenario == Scenario.Reasoning ? $$"""{"text":"{{Story.Thought}}","thought":true}""" : null;
        var callPart = $$"""{"functionCall":{"name":"{{Story.ToolName}}","args":{{Story.ToolArguments}} } }""";
        if (!stream)
        {
            var parts = call ? $"[{callPart}]" : thought is not null ? $$"""[{{thought}},{"text":"{{text}}"}]""" : $$"""[{"text":{{JsonSerializer.Serialize(text)}} }]""";
            var json = GeminiAnswers.Response(parts, promptTokens: Story.InputTokens, candidateTokens: Story.OutputTokens - (thought is null ? 0 : ThoughtTokens), thoughtTokens: thought is null ? 0 : ThoughtTokens);
            return (context, _) => FakeUpstream.WriteJsonAsync(context, json);
        }

        List<string> chunks;
        if (call)
        {
            chunks = [GeminiAnswers.Chunk($"[{callPart}]", "STOP", Story.InputTokens, Story.OutputTokens)];
        }
        else
        {
            var (head, tail) = Halves(text);
            chunks = thought is null ? [] : [GeminiAnswers.Chunk($"[{thought}]", promptTokens: Story.InputTokens)];
            chunks.Add(GeminiAnswers.Chunk($$"""[{"text":{{JsonSerializer.Serialize(head)}} }]""", promptTokens: Story.InputTokens));
            chunks.Add(GeminiAnswers.Chunk($$"""[{"text":{{JsonSerializer.Serialize(tail)}} }]""", "STOP", Story.InputTokens, Story.OutputTokens));
        }

        return (context, _) => FakeUpstream.WriteSseAsync(context, chunks);
    }

    public override void AssertAsked(Scenario scenario, int turn, JsonObject body, bool stream)
    {
        // The model and the choice to stream travel in the URL.
        Assert.Null(body["model"]);
        var contents = body["contents"]!.AsArray();
        var question = scenario == Scenario.Image
            ? $$"""{"role":"user","parts":[{"text":"{{Story.Prompt(scenario)}}"},{"inlineData":{"mimeType":"image/png","data":"{{Pixel.Png}}"} }]}"""
            : $$"""{"role":"user","parts":[{"text":"{{Story.Prompt(scenario)}}"}]}""";
        AssertJson(question, contents[0], body);
        if (scenario == Scenario.Tools)
        {
            var declaration = body["tools"]!.AsArray().Single(t => t!["functionDeclarations"] is not null)!["functionDeclarations"]![0]!;
            Assert.Equal(Story.ToolName, (string?)declaration["name"]);
            AssertJson(Story.ToolSchema, declaration["parametersJsonSchema"] ?? declaration["parameters"], body);
            Assert.Equal(turn == 0 ? 1 : 3, contents.Count);
            if (turn == 1)
            {
                var call = contents[1]!["parts"]!.AsArray().Single(p => p!["functionCall"] is not null)!["functionCall"]!;
                var response = contents[2]!["parts"]!.AsArray().Single(p => p!["functionResponse"] is not null)!["functionResponse"]!;
                Assert.Equal("model", (string?)contents[1]!["role"]);
                Assert.Equal(Story.ToolName, (string?)call["name"]);
                AssertJson(Story.ToolArguments, call["args"], body);
                Assert.Equal(Story.ToolName, (string?)response["name"]);
                Assert.Contains(Story.ToolResult, response["response"]!.ToJsonString(), StringComparison.Ordinal);
            }
        }
        else
        {
            Assert.Single(contents);
        }

        var thinking = body["generationConfig"]?["thinkingConfig"];
        if (scenario == Scenario.Reasoning)
        {
            Assert.True((bool?)thinking?["includeThoughts"], body.ToJsonString());
        }
        else
        {
            Assert.Null(thinking);
        }
    }
}
