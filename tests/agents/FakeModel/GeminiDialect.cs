using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Switchyard.Agents.FakeModel;

/// <summary>
/// Gemini <c>generateContent</c> and <c>streamGenerateContent?alt=sse</c>, as a Gemini 3 model:
/// function calls carry a thought signature, and a request whose current turn replays a call
/// without its signature is refused, as the real API does.
/// </summary>
internal sealed class GeminiDialect : Dialect
{
    // https://ai.google.dev/gemini-api/docs/thought-signatures: the value the docs give for
    // histories whose signatures were lost (a model switch, a translated conversation).
    public const string SkipValidatorSignature = "skip_thought_signature_validator";

    private static readonly HashSet<string> ToolFields =
    [
        "functionDeclarations", "function_declarations", "googleSearch", "google_search", "googleSearchRetrieval", "codeExecution",
        "code_execution", "urlContext", "url_context", "computerUse", "fileSearch", "googleMaps",
    ];

    private readonly ConcurrentDictionary<string, byte> _signatures = new();

    public override string Name => "gemini";

    // Gemini's function calls have no ids: the call's thought signature stands for it in the log.
    public override string NewCallId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    public override bool IsAuthenticated(HttpRequest request, string key) =>
        request.Headers["x-goog-api-key"].ToString() == key || request.Query["key"].ToString() == key;

    public override ParsedRequest Read(JsonObject body)
    {
        var contents = body["contents"] as JsonArray ?? throw new ApiRejection(400, "* GenerateContentRequest.contents: contents is not specified");
        var items = new List<Item>();
        var previousCalls = 0;
        var currentTurnStart = 0;
        for (var i = 0; i < contents.Count; i++)
        {
            var content = contents[i] as JsonObject ?? throw new ApiRejection(400, $"Invalid JSON payload received. 'contents[{i}]' is not an object.");
            var parts = (content["parts"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var role = String(content["role"]) ?? "user";
            var responses = parts.Count(p => p["functionResponse"] is not null);
            if (responses > 0 && responses != previousCalls)
            {
                throw new ApiRejection(400, "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.");
            }

            previousCalls = 0;
            switch (role)
            {
                case "user" or "function":
                    if (parts.Any(p => p["functionResponse"] is null))
                    {
                        currentTurnStart = i + 1;
                    }

                    foreach (var part in parts)
                    {
                        if (part["functionResponse"] is JsonObject response)
                        {
                            items.Add(new ToolResult(String(response["id"]), String(response["name"]), response["response"]?.ToJsonString() ?? ""));
                        }
                        else if (String(part["text"]) is { } text)
                        {
                            items.Add(new UserText(text));
                        }
                    }

                    break;
                case "model":
                    foreach (var part in parts)
                    {
                        if (part["functionCall"] is JsonObject call)
                        {
                            previousCalls++;
                            items.Add(new ToolCall(String(call["id"]), String(call["name"]) ?? "", call["args"]?.ToJsonString() ?? "{}", String(part["thoughtSignature"])));
                        }
                        else if (String(part["text"]) is { } text && part["thought"]?.GetValue<bool>() != true)
                        {
                            items.Add(new AssistantText(text));
                        }
                    }

                    break;
                default:
                    throw new ApiRejection(400, $"Please use a valid role: user, model.");
            }
        }

        // Gemini 3 validates the signatures of the current turn (from the last user text on): the
        // first function call part of each model step must carry the signature it was issued with.
        for (var i = currentTurnStart; i < contents.Count; i++)
        {
            if (String(contents[i]?["role"]) != "model")
            {
                continue;
            }

            var parts = (contents[i]!["parts"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var position = parts.FindIndex(p => p["functionCall"] is not null);
            if (position >= 0 && String(parts[position]["thoughtSignature"]) is var signature
                && (signature is null || (signature != SkipValidatorSignature && !_signatures.ContainsKey(signature))))
            {
                var name = String(parts[position]["functionCall"]!["name"]);
                throw new ApiRejection(400, signature is null
                    ? $"Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call `default_api:{name}` , position {i + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
                    : "Corrupted thought signature.");
            }
        }

        var tools = new List<OfferedTool>();
        var declared = body["tools"] as JsonArray ?? [];
        for (var i = 0; i < declared.Count; i++)
        {
            var tool = declared[i] as JsonObject ?? [];
            if (tool.Select(p => p.Key).FirstOrDefault(k => !ToolFields.Contains(k)) is { } unknown)
            {
                throw new ApiRejection(400, $"Invalid JSON payload received. Unknown name \"{unknown}\" at 'tools[{i}]': Cannot find field.");
            }

            foreach (var declaration in (tool["functionDeclarations"] ?? tool["function_declarations"]) as JsonArray ?? [])
            {
                var name = String(declaration?["name"]) ?? throw new ApiRejection(400, $"* GenerateContentRequest.tools[{i}].function_declarations[0].name: Name cannot be empty.");
                if (declaration!["parameters"] is not null && declaration["parametersJsonSchema"] is not null)
                {
                    throw new ApiRejection(400, $"* GenerateContentRequest.tools[{i}].function_declarations: parameters and parameters_json_schema cannot both be set.");
                }

                tools.Add(new OfferedTool(name, ToolKind.Function, (declaration["parametersJsonSchema"] ?? declaration["parameters"]) as JsonObject));
            }
        }

        var config = body["generationConfig"] as JsonObject;
        return new ParsedRequest("", false, items, tools)
        {
            WantsJson = String(config?["responseMimeType"]) == "application/json",
            OutputSchema = (config?["responseJsonSchema"] ?? config?["responseSchema"]) as JsonObject,
        };
    }

    public override async Task WriteAnswerAsync(HttpContext context, ParsedRequest request, Answer answer)
    {
        var (part, outputText) = answer switch
        {
            TextAnswer text => (new JsonObject { ["text"] = text.Text }, text.Text),
            ToolCallAnswer call => (new JsonObject
            {
                ["functionCall"] = new JsonObject { ["name"] = call.Tool.Name, ["args"] = JsonNode.Parse(call.Arguments) },
                ["thoughtSignature"] = Sign(call.CallId),
            }, call.Arguments),
            _ => throw new InvalidOperationException(),
        };
        var responseId = Script.NewId("");
        JsonObject Chunk(JsonObject? contentPart, bool last) => new()
        {
            ["candidates"] = new JsonArray(new JsonObject
            {
                ["content"] = new JsonObject { ["parts"] = contentPart is null ? new JsonArray() : new JsonArray(contentPart), ["role"] = "model" },
                ["finishReason"] = last ? "STOP" : null,
                ["index"] = 0,
            }),
            ["usageMetadata"] = last
                ? new JsonObject { ["promptTokenCount"] = 100, ["candidatesTokenCount"] = Tokens(outputText), ["totalTokenCount"] = 100 + Tokens(outputText) }
                : new JsonObject { ["promptTokenCount"] = 100, ["totalTokenCount"] = 100 },
            ["modelVersion"] = request.Model,
            ["responseId"] = responseId,
        };
        if (!request.Stream)
        {
            await WriteJsonAsync(context, Chunk(part, last: true));
            return;
        }

        StartStream(context);
        if (answer is TextAnswer textAnswer)
        {
            var pieces = ChatCompletionsDialect.Pieces(textAnswer.Text).ToList();
            for (var i = 0; i < pieces.Count; i++)
            {
                await WriteEventAsync(context, null, Chunk(new JsonObject { ["text"] = pieces[i] }, last: i == pieces.Count - 1).ToJsonString());
            }

            return;
        }

        // Gemini sends a function call whole, in one chunk.
        await WriteEventAsync(context, null, Chunk(part, last: true).ToJsonString());
    }

    /// <summary>The thought signature of a call (its id in the log), remembered so a replay can be checked.</summary>
    private string Sign(string callId)
    {
        _signatures[callId] = 0;
        return callId;
    }

    public override Task WriteErrorAsync(HttpContext context, int status, string message) =>
        WriteJsonAsync(context, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = status,
                ["message"] = message,
                ["status"] = status switch { 401 => "UNAUTHENTICATED", 404 => "NOT_FOUND", _ => "INVALID_ARGUMENT" },
            },
        }, status);
}
