using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>
/// Bedrock Converse (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html):
/// JSON answers, ConverseStream events in AWS event-stream frames, an Anthropic model's signed
/// <c>reasoningContent</c>.
/// </summary>
public sealed class ConverseScript : UpstreamScript
{
    public const string ToolUseId = "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q";

    public const string Signature = "ErcBCkgIAxABGAIiQBedrock-signed-reasoning/7Jm+Q==";

    /// <summary>Converse reports cache reads and writes apart from its input, and reasoning inside its output.</summary>
    public override MeteredUsage Metered { get; } = new(1000, 2000, 500, 300, 0);

    public override Func<HttpContext, CloudRequest, Task> Answer(Scenario scenario, int turn, bool stream)
    {
        var call = scenario == Scenario.Tools && turn == 0;
        var usage = scenario == Scenario.Metered
            ? $$"""{"inputTokens":{{Metered.Input}},"outputTokens":{{Metered.Output}},"totalTokens":{{Metered.Input + Metered.CacheRead + Metered.CacheWrite + Metered.Output}},"cacheReadInputTokens":{{Metered.CacheRead}},"cacheWriteInputTokens":{{Metered.CacheWrite}} }"""
            : $$"""{"inputTokens":{{Story.InputTokens}},"outputTokens":{{Story.OutputTokens}},"totalTokens":{{Story.InputTokens + Story.OutputTokens}} }""";
        if (!stream)
        {
            var content = call ? $$"""[{"toolUse":{"toolUseId":"{{ToolUseId}}","name":"{{Story.ToolName}}","input":{{Story.ToolArguments}} } }]"""
                : scenario == Scenario.Reasoning ? $$"""[{"reasoningContent":{"reasoningText":{"text":"{{Story.Thought}}","signature":"{{Signature}}"} } },{"text":"{{Story.AfterThought}}"}]"""
                : $$"""[{"text":{{JsonSerializer.Serialize(Story.Answer(scenario))}} }]""";
            var json = $$"""{"output":{"message":{"role":"assistant","content":{{content}} } },"stopReason":"{{(call ? "tool_use" : "end_turn")}}","usage":{{usage}},"metrics":{"latencyMs":180} }""";
            return (context, _) => FakeBedrockRuntime.WriteJsonAsync(context, json);
        }

        var events = new List<(string, string)> { ("messageStart", """{"role":"assistant"}""") };
        var next = 0;
        if (call)
        {
            var (first, second) = Halves(Story.ToolArguments);
            events.Add(("contentBlockStart", $$"""{"contentBlockIndex":0,"start":{"toolUse":{"toolUseId":"{{ToolUseId}}","name":"{{Story.ToolName}}"} } }"""));
            events.Add(("contentBlockDelta", $$"""{"contentBlockIndex":0,"delta":{"toolUse":{"input":{{JsonSerializer.Serialize(first)}} } } }"""));
            events.Add(("contentBlockDelta", $$"""{"contentBlockIndex":0,"delta":{"toolUse":{"input":{{JsonSerializer.Serialize(second)}} } } }"""));
            events.Add(("contentBlockStop", """{"contentBlockIndex":0}"""));
        }
        else
        {
            if (scenario == Scenario.Reasoning)
            {
                var (first, second) = Halves(Story.Thought);
                events.Add(("contentBlockDelta", $$"""{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"{{first}}"} } }"""));
                events.Add(("contentBlockDelta", $$"""{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"{{second}}"} } }"""));
                events.Add(("contentBlockDelta", $$"""{"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"{{Signature}}"} } }"""));
                events.Add(("contentBlockStop", """{"contentBlockIndex":0}"""));
                next = 1;
            }

            var (head, tail) = Halves(Story.Answer(scenario));
            events.Add(("contentBlockDelta", $$"""{"contentBlockIndex":{{next}},"delta":{"text":{{JsonSerializer.Serialize(head)}} } }"""));
            events.Add(("contentBlockDelta", $$"""{"contentBlockIndex":{{next}},"delta":{"text":{{JsonSerializer.Serialize(tail)}} } }"""));
            events.Add(("contentBlockStop", $$"""{"contentBlockIndex":{{next}} }"""));
        }

        events.Add(("messageStop", $$"""{"stopReason":"{{(call ? "tool_use" : "end_turn")}}"}"""));
        events.Add(("metadata", $$"""{"usage":{{usage}},"metrics":{"latencyMs":180} }"""));
        return (context, _) => FakeBedrockRuntime.WriteEventsAsync(context, events);
    }

    public override void AssertAsked(Scenario scenario, int turn, JsonObject body, bool stream)
    {
        // The model and the choice to stream travel in the path, never in a Converse body.
        Assert.Null(body["model"]);
        Assert.Null(body["stream"]);
        var messages = body["messages"]!.AsArray();
        var question = scenario == Scenario.Image
            ? $$"""{"role":"user","content":[{"text":"{{Story.Prompt(scenario)}}"},{"image":{"format":"png","source":{"bytes":"{{Pixel.Png}}"} } }]}"""
            : $$"""{"role":"user","content":[{"text":"{{Story.Prompt(scenario)}}"}]}""";
        AssertJson(question, messages[0], body);
        if (scenario == Scenario.Tools)
        {
            AssertJson($$"""[{"toolSpec":{"name":"{{Story.ToolName}}","description":"{{Story.ToolDescription}}","inputSchema":{"json":{{Story.ToolSchema}} } } }]""", body["toolConfig"]!["tools"], body);
            Assert.Equal(turn == 0 ? 1 : 3, messages.Count);
            if (turn == 1)
            {
                var use = messages[1]!["content"]![0]!["toolUse"]!;
                var result = messages[2]!["content"]![0]!["toolResult"]!;
                Assert.Equal("assistant", (string?)messages[1]!["role"]);
                Assert.Equal(Story.ToolName, (string?)use["name"]);
                AssertJson(Story.ToolArguments, use["input"], body);
                Assert.False(string.IsNullOrEmpty((string?)use["toolUseId"]));
                Assert.Equal((string?)use["toolUseId"], (string?)result["toolUseId"]);
                AssertToolResult((string?)Assert.Single(result["content"]!.AsArray())!["text"]);
            }
        }
        else
        {
            Assert.Null(body["toolConfig"]);
            Assert.Single(messages);
        }

        var thinking = body["additionalModelRequestFields"]?["thinking"];
        if (scenario == Scenario.Reasoning)
        {
            Assert.Equal("enabled", (string?)thinking?["type"]);
            Assert.True((int?)thinking?["budget_tokens"] >= 1024, body.ToJsonString());
            Assert.True((int?)body["inferenceConfig"]!["maxTokens"] > (int?)thinking?["budget_tokens"], body.ToJsonString());
        }
        else
        {
            Assert.Null(thinking);
        }
    }
}
