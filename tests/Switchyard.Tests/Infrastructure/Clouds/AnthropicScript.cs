using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>
/// Anthropic Messages as a cloud serves Claude (Vertex's rawPredict): whole messages or their
/// event stream, thinking with its signature. <paramref name="version"/> is the
/// <c>anthropic_version</c> the cloud wants in the body, where the model is not.
/// </summary>
public sealed class AnthropicScript(string version) : UpstreamScript
{
    public const string ToolUseId = "toolu_01CloudA2b3C4d5";

    /// <summary>Anthropic counts cache reads and writes apart from its input, and thinking inside its output.</summary>
    public override MeteredUsage Metered { get; } = new(1000, 2000, 500, 300, 0);

    public override Func<HttpContext, CloudRequest, Task> Answer(Scenario scenario, int turn, bool stream)
    {
        if (scenario == Scenario.Metered)
        {
            var cached = $"\"cache_creation_input_tokens\":{Metered.CacheWrite},\"cache_read_input_tokens\":{Metered.CacheRead}";
            string Counted(string frame) => frame.Replace("\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0", cached, StringComparison.Ordinal);
            if (!stream)
            {
                var json = Counted(AnthropicAnswers.Message($$"""[{"type":"text","text":"{{Story.Hello}}"}]""", inputTokens: Metered.Input, outputTokens: Metered.Output));
                return (context, _) => FakeUpstream.WriteJsonAsync(context, json);
            }

            List<string> metered = [Counted(AnthropicAnswers.MessageStart(Metered.Input)), AnthropicAnswers.TextStart(0), AnthropicAnswers.TextDelta(0, Story.Hello),
                AnthropicAnswers.BlockStop(0), AnthropicAnswers.MessageDelta("end_turn", Metered.Output), AnthropicAnswers.MessageStop()];
            return (context, _) => FakeUpstream.WriteSseAsync(context, metered);
        }

        var call = scenario == Scenario.Tools && turn == 0;
        var text = Story.Answer(scenario);
        if (!stream)
        {
            var content = call ? $$"""[{"type":"tool_use","id":"{{ToolUseId}}","name":"{{Story.ToolName}}","input":{{Story.ToolArguments}} }]"""
                : scenario == Scenario.Reasoning ? $$"""[{"type":"thinking","thinking":"{{Story.Thought}}","signature":"{{AnthropicAnswers.Signature}}"},{"type":"text","text":"{{text}}"}]"""
                : $$"""[{"type":"text","text":{{JsonSerializer.Serialize(text)}} }]""";
            var json = AnthropicAnswers.Message(content, call ? "tool_use" : "end_turn", Story.InputTokens, Story.OutputTokens);
            return (context, _) => FakeUpstream.WriteJsonAsync(context, json);
        }

        var frames = new List<string> { AnthropicAnswers.MessageStart(Story.InputTokens) };
        if (call)
        {
            var (first, second) = Halves(Story.ToolArguments);
            frames.AddRange([AnthropicAnswers.ToolUseStart(0, ToolUseId, Story.ToolName), AnthropicAnswers.InputJsonDelta(0, first), AnthropicAnswers.InputJsonDelta(0, second), AnthropicAnswers.BlockStop(0)]);
        }
        else
        {
            var index = 0;
            if (scenario == Scenario.Reasoning)
            {
                var (first, second) = Halves(Story.Thought);
                frames.AddRange([AnthropicAnswers.ThinkingStart(0), AnthropicAnswers.ThinkingDelta(0, first), AnthropicAnswers.ThinkingDelta(0, second),
                    AnthropicAnswers.SignatureDelta(0, AnthropicAnswers.Signature), AnthropicAnswers.BlockStop(0)]);
                index = 1;
            }

            var (head, tail) = Halves(text);
            frames.AddRange([AnthropicAnswers.TextStart(index), AnthropicAnswers.Ping(), AnthropicAnswers.TextDelta(index, head), AnthropicAnswers.TextDelta(index, tail), AnthropicAnswers.BlockStop(index)]);
        }

        frames.AddRange([AnthropicAnswers.MessageDelta(call ? "tool_use" : "end_turn", Story.OutputTokens), AnthropicAnswers.MessageStop()]);
        return (context, _) => FakeUpstream.WriteSseAsync(context, frames);
    }

    public override void AssertAsked(Scenario scenario, int turn, JsonObject body, bool stream)
    {
        Assert.False(body.ContainsKey("model"), body.ToJsonString());
        Assert.Equal(version, (string?)body["anthropic_version"]);
        Assert.Equal(stream, (bool?)body["stream"] ?? false);
        Assert.True((int?)body["max_tokens"] > 0);
        var messages = body["messages"]!.AsArray();
        Assert.Equal("user", (string?)messages[0]!["role"]);
        Assert.Equal(Story.Prompt(scenario), Requests.TextOf(messages[0]!["content"] is JsonArray blocks
            ? new JsonArray(blocks.Where(b => (string?)b!["type"] == "text").Select(b => b!.DeepClone()).ToArray())
            : messages[0]!["content"]));
        if (scenario == Scenario.Image)
        {
            var image = messages[0]!["content"]!.AsArray().Single(b => (string?)b!["type"] == "image");
            AssertJson($$"""{"type":"image","source":{"type":"base64","media_type":"image/png","data":"{{Pixel.Png}}"} }""", image, body);
        }

        if (scenario == Scenario.Tools)
        {
            var tool = Assert.Single(body["tools"]!.AsArray())!;
            Assert.Equal(Story.ToolName, (string?)tool["name"]);
            AssertJson(Story.ToolSchema, tool["input_schema"], body);
            Assert.Equal(turn == 0 ? 1 : 3, messages.Count);
            if (turn == 1)
            {
                var use = messages[1]!["content"]!.AsArray().Single(b => (string?)b!["type"] == "tool_use")!;
                var result = messages[2]!["content"]!.AsArray().Single(b => (string?)b!["type"] == "tool_result")!;
                Assert.Equal(Story.ToolName, (string?)use["name"]);
                AssertJson(Story.ToolArguments, use["input"], body);
                Assert.Equal((string?)use["id"], (string?)result["tool_use_id"]);
                AssertToolResult(Requests.TextOf(result["content"]));
            }
        }
        else
        {
            Assert.Null(body["tools"]);
            Assert.Single(messages);
        }

        if (scenario == Scenario.Reasoning)
        {
            Assert.Equal("enabled", (string?)body["thinking"]?["type"]);
            Assert.True((int?)body["thinking"]?["budget_tokens"] >= 1024, body.ToJsonString());
        }
        else
        {
            Assert.Null(body["thinking"]);
        }
    }
}
