using System.Text.Json.Nodes;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>
/// Runs one cell of the cloud matrix (a surface, streamed or not, a scenario) against a gateway
/// whose model is served by a cloud fake: the fake answers from the <see cref="UpstreamScript"/>,
/// the client must get the story's answer, and the fake must have been asked the story in its dialect.
/// </summary>
public static class CloudMatrix
{
    /// <summary>Every surface, whole and streamed, for each of <paramref name="scenarios"/>.</summary>
    public static TheoryData<string, bool, Scenario> Cells(params Scenario[] scenarios)
    {
        var cells = new TheoryData<string, bool, Scenario>();
        foreach (var scenario in scenarios)
        {
            foreach (var surface in SurfaceClient.Names)
            {
                cells.Add(surface, false, scenario);
                cells.Add(surface, true, scenario);
            }
        }

        return cells;
    }

    /// <summary>Plays the cell; returns what the cloud received for it, in order.</summary>
    public static async Task<IReadOnlyList<CloudRequest>> RunAsync(
        GatewayInstance gateway, string model, UpstreamScript script, IScriptedCloud cloud, string surface, bool stream, Scenario scenario)
    {
        cloud.ClearScripts();
        var before = cloud.Requests.Count;
        var client = SurfaceClient.Named(surface);
        cloud.Enqueue(script.Answer(scenario, 0, stream));
        var first = await client.AskAsync(gateway, model, scenario, stream);
        var last = first;
        if (scenario == Scenario.Tools)
        {
            var call = Assert.Single(first.Calls);
            Assert.Equal(Story.ToolName, call.Name);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Story.ToolArguments), JsonNode.Parse(call.Arguments)), call.Arguments);
            Assert.Equal("tool_calls", first.Finish);
            cloud.Enqueue(script.Answer(scenario, 1, stream));
            last = await client.AnswerToolAsync(gateway, model, first, stream);
        }

        Assert.Equal(Story.Answer(scenario), last.Text);
        Assert.Empty(last.Calls);
        Assert.Equal("stop", last.Finish);
        Assert.Equal(scenario == Scenario.Reasoning && script.ShowsReasoning ? Story.Thought : string.Empty, last.Reasoning);
        Assert.Equal(Story.InputTokens, last.InputTokens);
        Assert.Equal(Story.OutputTokens, last.OutputTokens);

        var sent = cloud.Requests.Skip(before).ToList();
        Assert.Equal(scenario == Scenario.Tools ? 2 : 1, sent.Count);
        for (var turn = 0; turn < sent.Count; turn++)
        {
            script.AssertAsked(scenario, turn, JsonNode.Parse(sent[turn].Body)!.AsObject(), stream);
        }

        return sent;
    }

    /// <summary>Every surface, whole and streamed.</summary>
    public static TheoryData<string, bool> Surfaces()
    {
        var cells = new TheoryData<string, bool>();
        foreach (var surface in SurfaceClient.Names)
        {
            cells.Add(surface, false);
            cells.Add(surface, true);
        }

        return cells;
    }

    /// <summary>
    /// Asks <see cref="Scenario.Metered"/> with a key of its own; asserts the client's usage in the
    /// surface's terms, and the request log's row: every token bucket and the cost at
    /// <paramref name="prices"/> (per million: input, cache read, cache write, output).
    /// </summary>
    public static async Task<JsonObject> RunMeteredAsync(
        GatewayInstance gateway, string model, UpstreamScript script, IScriptedCloud cloud, string surface, bool stream,
        (decimal Input, decimal CacheRead, decimal CacheWrite, decimal Output) prices)
    {
        var (keyId, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = $"metered {surface} {(stream ? "stream" : "whole")}" });
        cloud.ClearScripts();
        cloud.Enqueue(script.Answer(Scenario.Metered, 0, stream));

        var reply = await SurfaceClient.Named(surface).AskAsync(gateway, model, Scenario.Metered, stream, secret);
        var row = await AdminApi.SingleRequestAsync(gateway, keyId);

        var usage = script.Metered;
        Assert.Equal(Story.Hello, reply.Text);

        // Anthropic's input_tokens leave the cache out; every other surface counts it in.
        Assert.Equal(surface == SurfaceClient.Messages ? usage.Input : usage.Input + usage.CacheRead + usage.CacheWrite, reply.InputTokens);
        Assert.Equal(usage.Output, reply.OutputTokens);
        Assert.Equal(
            (model, 200, usage.Input, usage.CacheRead, usage.CacheWrite, usage.Output - usage.Reasoning, usage.Reasoning),
            ((string?)row["model"], (int?)row["status"], (int?)row["inputTokens"], (int?)row["cachedInputTokens"], (int?)row["cacheWriteTokens"], (int?)row["outputTokens"], (int?)row["reasoningTokens"]));
        Assert.Equal(usage.Cost(prices.Input, prices.CacheRead, prices.CacheWrite, prices.Output), (decimal?)row["cost"]);
        return row;
    }
}
