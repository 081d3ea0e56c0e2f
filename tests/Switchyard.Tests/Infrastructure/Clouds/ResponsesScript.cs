using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>The OpenAI Responses API as Azure OpenAI serves it: output items, their event stream, reasoning summaries.</summary>
public sealed class ResponsesScript : UpstreamScript
{
    public const string CallId = "call_AzResp0123456789abcdef";

    private const int ReasoningTokens = 5;

    /// <summary>OpenAI counts cached tokens inside its input and reasoning inside its output; it has no cache writes.</summary>
    public override MeteredUsage Metered { get; } = new(1000, 2000, 0, 300, 100);

    public override Func<HttpContext, CloudRequest, Task> Answer(Scenario scenario, int turn, bool stream)
    {
        if (scenario == Scenario.Metered)
        {
            if (!stream)
            {
                var json = ResponsesAnswers.Response($"[{ResponsesAnswers.MessageItem("msg_az_1", Story.Hello).ToJsonString()}]", "resp_az_1",
                    inputTokens: Metered.Input + Metered.CacheRead, outputTokens: Metered.Output, cachedTokens: Metered.CacheRead, reasoningTokens: Metered.Reasoning);
                return (context, _) => FakeUpstream.WriteJsonAsync(context, json);
            }

            var metered = new ResponsesAnswers.StreamBuilder("resp_az_1").Started().Message("msg_az_1", Story.Hello)
                .Completed(Metered.Input + Metered.CacheRead, Metered.Output, Metered.CacheRead, Metered.Reasoning).Frames;
            return (context, _) => FakeUpstream.WriteSseAsync(context, metered);
        }

        var call = scenario == Scenario.Tools && turn == 0;
        var text = Story.Answer(scenario);
        var reasoningTokens = scenario == Scenario.Reasoning ? ReasoningTokens : 0;
        if (!stream)
        {
            var output = new JsonArray();
            if (call)
            {
                output.Add(ResponsesAnswers.FunctionCallItem("fc_az_1", CallId, Story.ToolName, Story.ToolArguments));
            }
            else
            {
                if (scenario == Scenario.Reasoning)
                {
                    output.Add(ResponsesAnswers.ReasoningItem("rs_az_1", Story.Thought));
                }

                output.Add(ResponsesAnswers.MessageItem("msg_az_1", text));
            }

            var json = ResponsesAnswers.Response(output.ToJsonString(), "resp_az_1", inputTokens: Story.InputTokens, outputTokens: Story.OutputTokens, reasoningTokens: reasoningTokens);
            return (context, _) => FakeUpstream.WriteJsonAsync(context, json);
        }

        var builder = new ResponsesAnswers.StreamBuilder("resp_az_1").Started();
        if (call)
        {
            var (first, second) = Halves(Story.ToolArguments);
            builder.FunctionCall("fc_az_1", CallId, Story.ToolName, first, second);
        }
        else
        {
            if (scenario == Scenario.Reasoning)
            {
                var (thoughtHead, thoughtTail) = Halves(Story.Thought);
                builder.Reasoning("rs_az_1", thoughtHead, thoughtTail);
            }

            var (head, tail) = Halves(text);
            builder.Message("msg_az_1", head, tail);
        }

        var frames = builder.Completed(Story.InputTokens, Story.OutputTokens, reasoningTokens: reasoningTokens).Frames;
        return (context, _) => FakeUpstream.WriteSseAsync(context, frames);
    }

    public override void AssertAsked(Scenario scenario, int turn, JsonObject body, bool stream)
    {
        Assert.Equal(stream, (bool?)body["stream"] ?? false);
        var input = body["input"]!.AsArray();
        var question = input[0]!;
        Assert.Equal("user", (string?)question["role"]);
        var content = question["content"];
        Assert.Equal(Story.Prompt(scenario), content is JsonArray parts
            ? string.Concat(parts.Where(p => (string?)p!["type"] == "input_text").Select(p => (string?)p!["text"]))
            : (string?)content);
        if (scenario == Scenario.Image)
        {
            var image = content!.AsArray().Single(p => (string?)p!["type"] == "input_image")!;
            Assert.Equal("data:image/png;base64," + Pixel.Png, (string?)image["image_url"]);
        }

        if (scenario == Scenario.Tools)
        {
            var tool = Assert.Single(body["tools"]!.AsArray())!;
            Assert.Equal(("function", Story.ToolName), ((string?)tool["type"], (string?)tool["name"]));
            AssertJson(Story.ToolSchema, tool["parameters"], body);
            if (turn == 1)
            {
                var call = input.Single(i => (string?)i!["type"] == "function_call")!;
                var output = input.Single(i => (string?)i!["type"] == "function_call_output")!;
                Assert.Equal(Story.ToolName, (string?)call["name"]);
                AssertJson(Story.ToolArguments, JsonNode.Parse((string)call["arguments"]!), body);
                Assert.Equal((string?)call["call_id"], (string?)output["call_id"]);
                AssertToolResult(Requests.TextOf(output["output"]));
            }
            else
            {
                Assert.Single(input);
            }
        }
        else
        {
            Assert.Null(body["tools"]);
            Assert.Single(input);
        }

        if (scenario == Scenario.Reasoning)
        {
            Assert.NotNull((string?)body["reasoning"]?["effort"]);
        }
    }
}
