using System.Net;
using System.Text.Json.Nodes;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>Gemini's generateContent and streamGenerateContent over raw HTTP, as clients without an SDK call them.</summary>
public sealed class GeminiSurfaceClient : SurfaceClient
{
    public override Task<Reply> AskAsync(GatewayInstance gateway, string model, Scenario scenario, bool stream, string key = GatewayInstance.UserKey)
    {
        var parts = new JsonArray(new JsonObject { ["text"] = Story.Prompt(scenario) });
        if (scenario == Scenario.Image)
        {
            parts.Add(new JsonObject { ["inlineData"] = new JsonObject { ["mimeType"] = "image/png", ["data"] = Pixel.Png } });
        }

        return SendAsync(gateway, model, scenario, [new JsonObject { ["role"] = "user", ["parts"] = parts }], stream, key);
    }

    public override Task<Reply> AnswerToolAsync(GatewayInstance gateway, string model, Reply first, bool stream)
    {
        var call = Assert.Single(first.Calls);
        var functionCall = new JsonObject { ["name"] = call.Name, ["args"] = JsonNode.Parse(call.Arguments) };
        var functionResponse = new JsonObject { ["name"] = call.Name, ["response"] = new JsonObject { ["result"] = Story.ToolResult } };
        if (call.Id.Length > 0)
        {
            functionCall["id"] = call.Id;
            functionResponse["id"] = call.Id;
        }

        return SendAsync(gateway, model, Scenario.Tools,
        [
            new JsonObject { ["role"] = "user", ["parts"] = new JsonArray(new JsonObject { ["text"] = Story.Prompt(Scenario.Tools) }) },
            new JsonObject { ["role"] = "model", ["parts"] = new JsonArray(new JsonObject { ["functionCall"] = functionCall }) },
            new JsonObject { ["role"] = "user", ["parts"] = new JsonArray(new JsonObject { ["functionResponse"] = functionResponse }) },
        ], stream);
    }

    private static async Task<Reply> SendAsync(GatewayInstance gateway, string model, Scenario scenario, JsonArray contents, bool stream, string key = GatewayInstance.UserKey)
    {
        var body = new JsonObject { ["contents"] = contents };
        if (scenario == Scenario.Tools)
        {
            body["tools"] = new JsonArray(new JsonObject
            {
                ["functionDeclarations"] = new JsonArray(new JsonObject
                {
                    ["name"] = Story.ToolName,
                    ["description"] = Story.ToolDescription,
                    ["parametersJsonSchema"] = JsonNode.Parse(Story.ToolSchema),
                }),
            });
        }

        if (scenario == Scenario.Reasoning)
        {
            body["generationConfig"] = new JsonObject { ["thinkingConfig"] = new JsonObject { ["includeThoughts"] = true, ["thinkingBudget"] = 1024 } };
        }

        using var http = gateway.HttpClient(key);
        var path = stream ? $"/v1beta/models/{model}:streamGenerateContent?alt=sse" : $"/v1beta/models/{model}:generateContent";
        using var response = await http.PostAsync(path, Requests.Json(body.ToJsonString()), Cancel);
        if (!stream)
        {
            var text = await response.Content.ReadAsStringAsync(Cancel);
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            return Read([JsonNode.Parse(text)!]);
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Read((await SseEvents.ReadDataAsync(response)).Select(d => JsonNode.Parse(d)!).ToList());
    }

    /// <summary>Reads the one answer, or the chunks of a stream in order (the last usage counts).</summary>
    private static Reply Read(List<JsonNode> chunks)
    {
        var parts = chunks.SelectMany(c => c["candidates"]?[0]?["content"]?["parts"]?.AsArray() ?? []).Select(p => p!).ToList();
        var calls = parts.Where(p => p["functionCall"] is not null)
            .Select(p => new ReplyCall((string?)p["functionCall"]!["id"] ?? string.Empty, (string)p["functionCall"]!["name"]!, p["functionCall"]!["args"]!.ToJsonString()))
            .ToList();
        var usage = chunks.Last(c => c["usageMetadata"] is not null)["usageMetadata"]!;
        var finish = chunks.Select(c => (string?)c["candidates"]?[0]?["finishReason"]).Last(f => f is not null);
        Assert.Equal("STOP", finish);
        return new Reply(
            string.Concat(parts.Where(p => (bool?)p["thought"] != true).Select(p => (string?)p["text"])),
            string.Concat(parts.Where(p => (bool?)p["thought"] == true).Select(p => (string?)p["text"])),
            calls,
            (long?)usage["promptTokenCount"] ?? 0,
            ((long?)usage["candidatesTokenCount"] ?? 0) + ((long?)usage["thoughtsTokenCount"] ?? 0),
            calls.Count > 0 ? "tool_calls" : "stop");
    }
}
