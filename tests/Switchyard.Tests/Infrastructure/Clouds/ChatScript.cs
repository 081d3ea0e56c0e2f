using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>
/// OpenAI Chat Completions as Azure OpenAI answers it: content-filter results on the prompt and each
/// choice, and a stream that opens with a chunk holding only the prompt's filter results. Reasoning
/// models report reasoning tokens but no reasoning text.
/// </summary>
public sealed class ChatScript : UpstreamScript
{
    public const string CallId = "call_AzUre0123456789abcdefgh";

    private const int ReasoningTokens = 5;

    private const string Filters = """{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}""";

    public override bool ShowsReasoning => false;

    /// <summary>OpenAI counts cached tokens inside its prompt and reasoning inside its completion; it has no cache writes.</summary>
    public override MeteredUsage Metered { get; } = new(1000, 2000, 0, 300, 100);

    public override Func<HttpContext, CloudRequest, Task> Answer(Scenario scenario, int turn, bool stream)
    {
        var call = scenario == Scenario.Tools && turn == 0;
        var text = Story.Answer(scenario);
        var finish = call ? "tool_calls" : "stop";
        var details = scenario == Scenario.Reasoning ? $$""","completion_tokens_details":{"reasoning_tokens":{{ReasoningTokens}} }""" : string.Empty;
        var usage = scenario == Scenario.Metered
            ? $$"""{"prompt_tokens":{{Metered.Input + Metered.CacheRead}},"completion_tokens":{{Metered.Output}},"total_tokens":{{Metered.Input + Metered.CacheRead + Metered.Output}},"prompt_tokens_details":{"cached_tokens":{{Metered.CacheRead}} },"completion_tokens_details":{"reasoning_tokens":{{Metered.Reasoning}} } }"""
            : $$"""{"prompt_tokens":{{Story.InputTokens}},"completion_tokens":{{Story.OutputTokens}},"total_tokens":{{Story.InputTokens + Story.OutputTokens}}{{details}} }""";
        if (!stream)
        {
            var message = call
                ? $$"""{"role":"assistant","content":null,"tool_calls":[{"id":"{{CallId}}","type":"function","function":{"name":"{{Story.ToolName}}","arguments":{{JsonSerializer.Serialize(Story.ToolArguments)}} } }]}"""
                : $$"""{"role":"assistant","content":{{JsonSerializer.Serialize(text)}} }""";
            var json = $$"""
                {"id":"chatcmpl-AzUre1","object":"chat.completion","created":1767225600,"model":"gpt-4o-2024-11-20","system_fingerprint":"fp_azure",
                 "prompt_filter_results":[{"prompt_index":0,"content_filter_results":{{Filters}} }],
                 "choices":[{"index":0,"finish_reason":"{{finish}}","logprobs":null,"message":{{message}},"content_filter_results":{{Filters}} }],
                 "usage":{{usage}} }
                """;
            return (context, _) => FakeUpstream.WriteJsonAsync(context, json);
        }

        List<string> frames =
        [
            $$"""data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{{Filters}} }]}""",
        ];
        if (call)
        {
            var (first, second) = Halves(Story.ToolArguments);
            frames.Add(UpstreamAnswers.Chunk($$"""{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"{{CallId}}","type":"function","function":{"name":"{{Story.ToolName}}","arguments":""} }]}"""));
            frames.Add(UpstreamAnswers.Chunk($$"""{"tool_calls":[{"index":0,"function":{"arguments":{{JsonSerializer.Serialize(first)}} } }]}"""));
            frames.Add(UpstreamAnswers.Chunk($$"""{"tool_calls":[{"index":0,"function":{"arguments":{{JsonSerializer.Serialize(second)}} } }]}"""));
        }
        else
        {
            var (head, tail) = Halves(text);
            frames.Add(UpstreamAnswers.Chunk("""{"role":"assistant","content":""}"""));
            frames.Add(UpstreamAnswers.Chunk($$"""{"content":{{JsonSerializer.Serialize(head)}} }"""));
            frames.Add(UpstreamAnswers.Chunk($$"""{"content":{{JsonSerializer.Serialize(tail)}} }"""));
        }

        frames.Add(UpstreamAnswers.Chunk("{}", finish));
        frames.Add($$"""data: {"id":"chatcmpl-AzUre1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4o-2024-11-20","choices":[],"usage":{{usage}} }""");
        frames.Add("data: [DONE]");
        return (context, _) => FakeUpstream.WriteSseAsync(context, frames);
    }

    public override void AssertAsked(Scenario scenario, int turn, JsonObject body, bool stream)
    {
        Assert.Equal(stream, (bool?)body["stream"] ?? false);
        if (stream)
        {
            Assert.True((bool?)body["stream_options"]?["include_usage"]);
        }

        var messages = body["messages"]!.AsArray();
        Assert.Equal("user", (string?)messages[0]!["role"]);
        var content = messages[0]!["content"];
        Assert.Equal(Story.Prompt(scenario), Requests.TextOf(content is JsonArray parts
            ? new JsonArray(parts.Where(p => (string?)p!["type"] == "text").Select(p => p!.DeepClone()).ToArray())
            : content));
        if (scenario == Scenario.Image)
        {
            var image = content!.AsArray().Single(p => (string?)p!["type"] == "image_url")!;
            Assert.Equal("data:image/png;base64," + Pixel.Png, (string?)image["image_url"]!["url"]);
        }

        if (scenario == Scenario.Tools)
        {
            var tool = Assert.Single(body["tools"]!.AsArray())!;
            Assert.Equal(Story.ToolName, (string?)tool["function"]!["name"]);
            AssertJson(Story.ToolSchema, tool["function"]!["parameters"], body);
            Assert.Equal(turn == 0 ? 1 : 3, messages.Count);
            if (turn == 1)
            {
                var call = Assert.Single(messages[1]!["tool_calls"]!.AsArray())!;
                Assert.Equal(Story.ToolName, (string?)call["function"]!["name"]);
                AssertJson(Story.ToolArguments, JsonNode.Parse((string)call["function"]!["arguments"]!), body);
                Assert.Equal("tool", (string?)messages[2]!["role"]);
                Assert.Equal((string?)call["id"], (string?)messages[2]!["tool_call_id"]);
                AssertToolResult(Requests.TextOf(messages[2]!["content"]));
            }
        }
        else
        {
            Assert.Null(body["tools"]);
            Assert.Single(messages);
        }

        if (scenario == Scenario.Reasoning)
        {
            Assert.NotNull((string?)body["reasoning_effort"]);
        }
        else
        {
            Assert.Null(body["reasoning_effort"]);
        }
    }
}
