using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Forwarding;

/// <summary>
/// Agent sessions survive their second turn on every upstream from every client surface: the
/// model thinks (signed where its provider signs) and calls two tools at once; the client sends
/// the turn back as its dialect keeps it, with both results — one holding an image where the
/// surface allows it — and the upstream must receive its own signature, both calls and both
/// results paired, and the image. Bodies are built as agents build them, from the previous answer.
/// </summary>
public sealed class SecondTurnTests
{
    private const string AnthropicSignature = AnthropicAnswers.Signature;
    private const string GeminiSignature = GeminiAnswers.ThoughtSignature;
    private const string Encrypted = ResponsesAnswers.EncryptedContent;

    public static TheoryData<string, string> Cells()
    {
        var cells = new TheoryData<string, string>();
        string[] surfaces = ["chat", "responses", "messages", "gemini"];
        string[] upstreams = ["chat", "responses", "anthropic", "gemini"];
        foreach (var surface in surfaces)
        {
            foreach (var upstream in upstreams)
            {
                // Same dialect is passthrough, covered by the passthrough tests.
                if (!(surface == upstream || (surface == "messages" && upstream == "anthropic")))
                {
                    cells.Add(surface, upstream);
                }
            }
        }

        return cells;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task A_tool_round_with_reasoning_and_parallel_calls_survives_the_second_turn(string surface, string upstreamDialect)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartAsync(config => Configure(config, upstream, upstreamDialect));
        upstream.EnqueueJson(FirstAnswer(upstreamDialect));
        upstream.EnqueueJson(SecondAnswer(upstreamDialect));
        using var http = gateway.HttpClient();
        var client = Surfaces[surface];

        using var first = await http.PostAsync(client.Path, Requests.Json(client.FirstTurn()), TestContext.Current.CancellationToken);
        var firstBody = await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(first.StatusCode == HttpStatusCode.OK, firstBody);
        var calls = client.Calls(JsonNode.Parse(firstBody)!);
        using var second = await http.PostAsync(client.Path, Requests.Json(client.SecondTurn(JsonNode.Parse(firstBody)!, calls)), TestContext.Current.CancellationToken);
        var secondBody = await second.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        // The client saw two calls and then the answer.
        Assert.Equal(["get_weather", "get_time"], calls.Select(c => c.Name));
        Assert.True(second.StatusCode == HttpStatusCode.OK, secondBody);
        Assert.Contains("Sunny at noon.", secondBody, StringComparison.Ordinal);

        // The upstream got its own turn back, both results paired with their calls, and the image.
        Inspect(upstreamDialect, upstream.LastRequest.Json, withImage: client.ImagesInToolResults);
    }

    private static void Configure(JsonObject config, FakeUpstream upstream, string dialect)
    {
        var (type, baseUrl) = dialect switch
        {
            "anthropic" => ("anthropic", upstream.BaseUrl),
            "gemini" => ("gemini", upstream.BaseUrl),
            _ => ("openai", upstream.BaseUrl + "/v1"),
        };
        config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "up", ["type"] = type, ["baseUrl"] = baseUrl, ["apiKey"] = GatewayInstance.UpstreamKey });
        var model = new JsonObject { ["id"] = "agent-model", ["provider"] = "up", ["model"] = "upstream-model" };
        if (dialect == "responses")
        {
            model["api"] = "responses";
        }

        config["models"]!.AsArray().Add(model);
    }

    private static string FirstAnswer(string dialect) => dialect switch
    {
        "anthropic" => AnthropicAnswers.Message($$$"""
            [{"type":"thinking","thinking":"Two lookups.","signature":"{{{AnthropicSignature}}}"},
             {"type":"tool_use","id":"toolu_A","name":"get_weather","input":{"city":"Paris"}},
             {"type":"tool_use","id":"toolu_B","name":"get_time","input":{"zone":"CET"}}]
            """, stopReason: "tool_use"),
        "gemini" => GeminiAnswers.Response($$$$"""
            [{"text":"Two lookups.","thought":true},
             {"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"{{{{GeminiSignature}}}}"},
             {"functionCall":{"name":"get_time","args":{"zone":"CET"}}}]
            """),
        "responses" => ResponsesAnswers.Response(new JsonArray(
            ResponsesAnswers.ReasoningItem("rs_up_1", "Two lookups."),
            ResponsesAnswers.FunctionCallItem("fc_1", "call_A", "get_weather", """{"city":"Paris"}"""),
            ResponsesAnswers.FunctionCallItem("fc_2", "call_B", "get_time", """{"zone":"CET"}""")).ToJsonString()),
        _ => """
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"upstream-model","choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":null,"reasoning_content":"Two lookups.",
              "tool_calls":[{"id":"call_A","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},{"id":"call_B","type":"function","function":{"name":"get_time","arguments":"{\"zone\":\"CET\"}"}}]}}],
             "usage":{"prompt_tokens":20,"completion_tokens":10,"total_tokens":30}}
            """,
    };

    private static string SecondAnswer(string dialect) => dialect switch
    {
        "anthropic" => AnthropicAnswers.Text("Sunny at noon."),
        "gemini" => GeminiAnswers.Text("Sunny at noon."),
        "responses" => ResponsesAnswers.Text("Sunny at noon."),
        _ => UpstreamAnswers.ChatCompletion("Sunny at noon."),
    };

    private static void Inspect(string dialect, JsonObject sent, bool withImage)
    {
        switch (dialect)
        {
            case "anthropic":
                var messages = sent["messages"]!.AsArray();
                var assistant = messages[1]!["content"]!.AsArray();
                Assert.Equal(("thinking", AnthropicSignature), ((string?)assistant[0]!["type"], (string?)assistant[0]!["signature"]));
                var callIds = assistant.Where(b => (string?)b!["type"] == "tool_use").Select(b => (string?)b!["id"]).ToList();
                var results = messages[2]!["content"]!.AsArray().Where(b => (string?)b!["type"] == "tool_result").ToList();
                Assert.Equal(callIds, results.Select(r => (string?)r!["tool_use_id"]));
                Assert.Equal(2, callIds.Count);
                Assert.Equal(withImage, results[1]!["content"] is JsonArray blocks && blocks.Any(b => (string?)b!["type"] == "image"));
                break;
            case "gemini":
                var contents = sent["contents"]!.AsArray();
                var model = contents[1]!["parts"]!.AsArray();
                Assert.Equal(["get_weather", "get_time"], model.Select(p => (string?)p!["functionCall"]?["name"]).Where(n => n is not null));
                Assert.Equal(GeminiSignature, (string?)model.First(p => p!["functionCall"] is not null)!["thoughtSignature"]);
                var user = contents[2]!["parts"]!.AsArray();
                Assert.Equal(["get_weather", "get_time"], user.Select(p => (string?)p!["functionResponse"]?["name"]).Where(n => n is not null));
                Assert.Equal(withImage, user.Any(p => p!["inlineData"] is not null));
                break;
            case "responses":
                var input = sent["input"]!.AsArray();
                var reasoning = input.Single(i => (string?)i!["type"] == "reasoning")!;
                Assert.Equal(("rs_up_1", Encrypted), ((string?)reasoning["id"], (string?)reasoning["encrypted_content"]));
                var callIdsR = input.Where(i => (string?)i!["type"] == "function_call").Select(i => (string?)i!["call_id"]).ToList();
                var outputs = input.Where(i => (string?)i!["type"] == "function_call_output").ToList();
                Assert.Equal(callIdsR, outputs.Select(o => (string?)o!["call_id"]));
                Assert.Equal(2, callIdsR.Count);
                Assert.Equal(withImage, outputs[1]!["output"] is JsonArray parts && parts.Any(p => (string?)p!["type"] == "input_image"));
                break;
            default:
                var chat = sent["messages"]!.AsArray();
                var calling = chat.Single(m => m!["tool_calls"] is not null)!;
                var ids = calling["tool_calls"]!.AsArray().Select(c => (string?)c!["id"]).ToList();
                Assert.Equal(ids, chat.Where(m => (string?)m!["role"] == "tool").Select(m => (string?)m!["tool_call_id"]));
                Assert.Equal(2, ids.Count);
                Assert.Equal(withImage, chat.Any(m => m!["content"] is JsonArray parts && parts.Any(p => (string?)p!["type"] == "image_url")));
                break;
        }
    }

    private sealed record Call(string Id, string Name);

    /// <summary>How one client surface asks, reads the calls, and sends the turn back.</summary>
    private sealed record Surface(string Path, bool ImagesInToolResults, Func<string> FirstTurn, Func<JsonNode, List<Call>> Calls, Func<JsonNode, List<Call>, string> SecondTurn);

    private static readonly Dictionary<string, Surface> Surfaces = new()
    {
        ["chat"] = new("/v1/chat/completions", false,
            () => """
                {"model":"agent-model","reasoning_effort":"medium","messages":[{"role":"user","content":"Weather and time in Paris?"}],"tools":[
                  {"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},
                  {"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"zone":{"type":"string"}}}}}]}
                """,
            answer => answer["choices"]![0]!["message"]!["tool_calls"]!.AsArray().Select(c => new Call((string)c!["id"]!, (string)c["function"]!["name"]!)).ToList(),
            (answer, calls) =>
            {
                var body = JsonNode.Parse(Surfaces!["chat"].FirstTurn())!;
                var messages = body["messages"]!.AsArray();
                messages.Add(answer["choices"]![0]!["message"]!.DeepClone());
                messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = calls[0].Id, ["content"] = "sunny" });
                messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = calls[1].Id, ["content"] = "12:00" });
                return body.ToJsonString();
            }),
        ["responses"] = new("/v1/responses", true,
            () => """
                {"model":"agent-model","store":false,"include":["reasoning.encrypted_content"],"reasoning":{"effort":"medium"},"input":[{"role":"user","content":"Weather and time in Paris?"}],"tools":[
                  {"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}},
                  {"type":"function","name":"get_time","parameters":{"type":"object","properties":{"zone":{"type":"string"}}}}]}
                """,
            answer => answer["output"]!.AsArray().Where(i => (string?)i!["type"] == "function_call").Select(i => new Call((string)i!["call_id"]!, (string)i["name"]!)).ToList(),
            (answer, calls) =>
            {
                var body = JsonNode.Parse(Surfaces!["responses"].FirstTurn())!;
                var input = body["input"]!.AsArray();
                foreach (var item in answer["output"]!.AsArray())
                {
                    input.Add(item!.DeepClone());
                }

                input.Add(new JsonObject { ["type"] = "function_call_output", ["call_id"] = calls[0].Id, ["output"] = "sunny" });
                input.Add(new JsonObject
                {
                    ["type"] = "function_call_output",
                    ["call_id"] = calls[1].Id,
                    ["output"] = new JsonArray(
                        new JsonObject { ["type"] = "input_text", ["text"] = "12:00, see the clock" },
                        new JsonObject { ["type"] = "input_image", ["image_url"] = "data:image/png;base64," + Pixel.Png }),
                });
                return body.ToJsonString();
            }),
        ["messages"] = new("/v1/messages", true,
            () => """
                {"model":"agent-model","max_tokens":8000,"thinking":{"type":"enabled","budget_tokens":2048},"messages":[{"role":"user","content":"Weather and time in Paris?"}],"tools":[
                  {"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}},
                  {"name":"get_time","input_schema":{"type":"object","properties":{"zone":{"type":"string"}}}}]}
                """,
            answer => answer["content"]!.AsArray().Where(b => (string?)b!["type"] == "tool_use").Select(b => new Call((string)b!["id"]!, (string)b["name"]!)).ToList(),
            (answer, calls) =>
            {
                var body = JsonNode.Parse(Surfaces!["messages"].FirstTurn())!;
                var messages = body["messages"]!.AsArray();
                messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = answer["content"]!.DeepClone() });
                messages.Add(new JsonObject
                {
                    ["role"] = "user",
                    ["content"] = new JsonArray(
                        new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = calls[0].Id, ["content"] = "sunny" },
                        new JsonObject
                        {
                            ["type"] = "tool_result",
                            ["tool_use_id"] = calls[1].Id,
                            ["content"] = new JsonArray(
                                new JsonObject { ["type"] = "text", ["text"] = "12:00, see the clock" },
                                new JsonObject { ["type"] = "image", ["source"] = new JsonObject { ["type"] = "base64", ["media_type"] = "image/png", ["data"] = Pixel.Png } }),
                        }),
                });
                return body.ToJsonString();
            }),
        ["gemini"] = new("/v1beta/models/agent-model:generateContent", false,
            () => """
                {"contents":[{"role":"user","parts":[{"text":"Weather and time in Paris?"}]}],"generationConfig":{"thinkingConfig":{"includeThoughts":true}},"tools":[{"functionDeclarations":[
                  {"name":"get_weather","parametersJsonSchema":{"type":"object","properties":{"city":{"type":"string"}}}},
                  {"name":"get_time","parametersJsonSchema":{"type":"object","properties":{"zone":{"type":"string"}}}}]}]}
                """,
            answer => answer["candidates"]![0]!["content"]!["parts"]!.AsArray().Where(p => p!["functionCall"] is not null)
                .Select(p => new Call((string?)p!["functionCall"]!["id"] ?? string.Empty, (string)p["functionCall"]!["name"]!)).ToList(),
            (answer, calls) =>
            {
                var body = JsonNode.Parse(Surfaces!["gemini"].FirstTurn())!;
                var contents = body["contents"]!.AsArray();
                contents.Add(answer["candidates"]![0]!["content"]!.DeepClone());
                contents.Add(new JsonObject
                {
                    ["role"] = "user",
                    ["parts"] = new JsonArray(calls.Select((c, i) => (JsonNode)new JsonObject
                    {
                        ["functionResponse"] = new JsonObject { ["id"] = c.Id, ["name"] = c.Name, ["response"] = new JsonObject { ["output"] = i == 0 ? "sunny" : "12:00" } },
                    }).ToArray()),
                });
                return body.ToJsonString();
            }),
    };
}
