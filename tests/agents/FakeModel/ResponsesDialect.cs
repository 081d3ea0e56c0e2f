using System.Text.Json.Nodes;

namespace Switchyard.Agents.FakeModel;

/// <summary>OpenAI Responses (<c>POST /v1/responses</c>), streaming or not, with function and custom tool calls.</summary>
internal sealed class ResponsesDialect : Dialect
{
    private static readonly HashSet<string> ToolTypes =
    [
        "function", "custom", "namespace", "web_search", "web_search_preview", "web_search_2025_08_26", "file_search",
        "code_interpreter", "computer_use_preview", "computer", "image_generation", "local_shell", "shell", "apply_patch",
        "mcp", "tool_search",
    ];

    public override string Name => "responses";

    public override string NewCallId() => Script.NewId("call_");

    public override bool IsAuthenticated(HttpRequest request, string key) => request.Headers.Authorization.ToString() == "Bearer " + key;

    public override ParsedRequest Read(JsonObject body)
    {
        var model = String(body["model"]) ?? throw new ApiRejection(400, "Missing required parameter: 'model'.");
        if (String(body["previous_response_id"]) is { } previous)
        {
            // This fake stores nothing, as with store: false.
            throw new ApiRejection(400, $"Previous response with id '{previous}' not found.");
        }

        var items = new List<Item>();
        var calls = new HashSet<string>();
        var outputs = new HashSet<string>();
        var ids = new HashSet<string>();
        switch (body["input"])
        {
            case JsonValue value when value.TryGetValue<string>(out var text):
                items.Add(new UserText(text));
                break;
            case JsonArray input:
                for (var i = 0; i < input.Count; i++)
                {
                    var item = input[i] as JsonObject ?? throw new ApiRejection(400, $"Invalid type for 'input[{i}]': expected an object.");
                    CheckItemId(item, i, ids);
                    switch (String(item["type"]) ?? "message")
                    {
                        case "message":
                            var text = Text(item["content"]);
                            switch (String(item["role"]))
                            {
                                case "user":
                                    items.Add(new UserText(text));
                                    break;
                                case "assistant":
                                    items.Add(new AssistantText(text));
                                    break;
                                case "system" or "developer":
                                    break;
                                case var role:
                                    throw new ApiRejection(400, $"Invalid value: '{role}'. Supported values are: 'assistant', 'system', 'developer', and 'user'. (param: input[{i}].role)");
                            }

                            break;
                        case "function_call":
                            calls.Add(CallId(item, i));
                            items.Add(new ToolCall(CallId(item, i), String(item["name"]) ?? "", String(item["arguments"]) ?? "", null));
                            break;
                        case "custom_tool_call":
                            calls.Add(CallId(item, i));
                            items.Add(new ToolCall(CallId(item, i), String(item["name"]) ?? "", String(item["input"]) ?? "", null));
                            break;
                        case "function_call_output" or "custom_tool_call_output":
                            var answered = CallId(item, i);
                            if (!calls.Contains(answered))
                            {
                                throw new ApiRejection(400, $"No tool call found for function call output with call_id {answered}.");
                            }

                            outputs.Add(answered);
                            items.Add(new ToolResult(answered, null, Text(item["output"])));
                            break;
                    }
                }

                break;
            default:
                throw new ApiRejection(400, "Missing required parameter: 'input'.");
        }

        if (calls.Except(outputs).FirstOrDefault() is { } unanswered)
        {
            throw new ApiRejection(400, $"No tool output found for function call {unanswered}.");
        }

        var tools = new List<OfferedTool>();
        var declared = body["tools"] as JsonArray ?? [];
        for (var i = 0; i < declared.Count; i++)
        {
            var tool = declared[i] as JsonObject;
            var type = String(tool?["type"]);
            if (type is null || !ToolTypes.Contains(type))
            {
                throw new ApiRejection(400, $"Invalid value: '{type}'. Supported values are: {string.Join(", ", ToolTypes.Select(t => $"'{t}'"))}. (param: tools[{i}].type)");
            }

            if (type is "function" or "custom")
            {
                var name = String(tool!["name"]) ?? throw new ApiRejection(400, $"Missing required parameter: 'tools[{i}].name'.");
                tools.Add(new OfferedTool(name, type == "custom" ? ToolKind.Custom : ToolKind.Function, tool["parameters"] as JsonObject));
            }
        }

        var format = body["text"]?["format"] as JsonObject;
        return new ParsedRequest(model, body["stream"]?.GetValue<bool>() == true, items, tools)
        {
            WantsJson = String(format?["type"]) is "json_schema" or "json_object",
            OutputSchema = format?["schema"] as JsonObject,
        };
    }

    /// <summary>
    /// Replayed item ids are checked even with <c>store: false</c>: unique within the request, and
    /// with the prefix of their type (<c>msg_</c>, <c>fc_</c>, <c>rs_</c>) where OpenAI issues one.
    /// </summary>
    private static void CheckItemId(JsonObject item, int index, HashSet<string> ids)
    {
        if (String(item["id"]) is not { } id)
        {
            return;
        }

        if (!ids.Add(id))
        {
            throw new ApiRejection(400, $"Duplicate item found with id {id}. Remove the duplicate items from your input and try again.");
        }

        var prefix = (String(item["type"]) ?? "message") switch
        {
            "message" => "msg",
            "function_call" => "fc",
            "reasoning" => "rs",
            _ => null,
        };
        if (prefix is not null && !id.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new ApiRejection(400, $"Invalid 'input[{index}].id': '{id}'. Expected an ID that begins with '{prefix}'.");
        }
    }

    private static string CallId(JsonObject item, int index) =>
        String(item["call_id"]) ?? throw new ApiRejection(400, $"Missing required parameter: 'input[{index}].call_id'.");

    public override async Task WriteAnswerAsync(HttpContext context, ParsedRequest request, Answer answer)
    {
        var responseId = Script.NewId("resp_");
        var outputText = answer is ToolCallAnswer c ? c.Arguments : ((TextAnswer)answer).Text;
        var item = answer switch
        {
            TextAnswer text => new JsonObject
            {
                ["id"] = Script.NewId("msg_"),
                ["type"] = "message",
                ["status"] = "completed",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["annotations"] = new JsonArray(), ["logprobs"] = new JsonArray(), ["text"] = text.Text }),
                ["role"] = "assistant",
            },
            ToolCallAnswer { Tool.Kind: ToolKind.Custom } call => new JsonObject
            {
                ["id"] = Script.NewId("ctc_"),
                ["type"] = "custom_tool_call",
                ["status"] = "completed",
                ["call_id"] = call.CallId,
                ["input"] = call.Arguments,
                ["name"] = call.Tool.Name,
            },
            ToolCallAnswer call => new JsonObject
            {
                ["id"] = Script.NewId("fc_"),
                ["type"] = "function_call",
                ["status"] = "completed",
                ["arguments"] = call.Arguments,
                ["call_id"] = call.CallId,
                ["name"] = call.Tool.Name,
            },
            _ => throw new InvalidOperationException(),
        };
        var usage = new JsonObject
        {
            ["input_tokens"] = 100,
            ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
            ["output_tokens"] = Tokens(outputText),
            ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
            ["total_tokens"] = 100 + Tokens(outputText),
        };
        if (!request.Stream)
        {
            await WriteJsonAsync(context, Response(responseId, request.Model, "completed", new JsonArray(item), usage));
            return;
        }

        StartStream(context);
        var sequence = 0;
        async Task Send(string type, JsonObject data)
        {
            data["type"] = type;
            data["sequence_number"] = sequence++;
            await WriteEventAsync(context, type, data.ToJsonString());
        }

        await Send("response.created", new JsonObject { ["response"] = Response(responseId, request.Model, "in_progress", [], null) });
        await Send("response.in_progress", new JsonObject { ["response"] = Response(responseId, request.Model, "in_progress", [], null) });
        var itemId = item["id"]!.ToString();
        var started = item.DeepClone().AsObject();
        started["status"] = "in_progress";
        switch (answer)
        {
            case TextAnswer text:
                started["content"] = new JsonArray();
                await Send("response.output_item.added", new JsonObject { ["output_index"] = 0, ["item"] = started });
                var emptyPart = new JsonObject { ["type"] = "output_text", ["annotations"] = new JsonArray(), ["logprobs"] = new JsonArray(), ["text"] = "" };
                await Send("response.content_part.added", new JsonObject { ["item_id"] = itemId, ["output_index"] = 0, ["content_index"] = 0, ["part"] = emptyPart });
                foreach (var piece in ChatCompletionsDialect.Pieces(text.Text))
                {
                    await Send("response.output_text.delta", new JsonObject { ["item_id"] = itemId, ["output_index"] = 0, ["content_index"] = 0, ["delta"] = piece, ["logprobs"] = new JsonArray() });
                }

                await Send("response.output_text.done", new JsonObject { ["item_id"] = itemId, ["output_index"] = 0, ["content_index"] = 0, ["text"] = text.Text, ["logprobs"] = new JsonArray() });
                await Send("response.content_part.done", new JsonObject { ["item_id"] = itemId, ["output_index"] = 0, ["content_index"] = 0, ["part"] = item["content"]![0]!.DeepClone() });
                break;
            case ToolCallAnswer call:
                var custom = call.Tool.Kind == ToolKind.Custom;
                started[custom ? "input" : "arguments"] = "";
                await Send("response.output_item.added", new JsonObject { ["output_index"] = 0, ["item"] = started });
                var deltaType = custom ? "response.custom_tool_call_input.delta" : "response.function_call_arguments.delta";
                foreach (var piece in ChatCompletionsDialect.Pieces(call.Arguments))
                {
                    await Send(deltaType, new JsonObject { ["item_id"] = itemId, ["output_index"] = 0, ["delta"] = piece });
                }

                await Send(custom ? "response.custom_tool_call_input.done" : "response.function_call_arguments.done",
                    new JsonObject { ["item_id"] = itemId, ["output_index"] = 0, [custom ? "input" : "arguments"] = call.Arguments });
                break;
        }

        await Send("response.output_item.done", new JsonObject { ["output_index"] = 0, ["item"] = item.DeepClone() });
        await Send("response.completed", new JsonObject { ["response"] = Response(responseId, request.Model, "completed", new JsonArray(item.DeepClone()), usage) });
    }

    public override Task WriteErrorAsync(HttpContext context, int status, string message) =>
        WriteJsonAsync(context, new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = "invalid_request_error", ["param"] = null, ["code"] = status == 401 ? "invalid_api_key" : null },
        }, status);

    private static JsonObject Response(string id, string model, string status, JsonArray output, JsonObject? usage) => new()
    {
        ["id"] = id,
        ["object"] = "response",
        ["created_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["status"] = status,
        ["error"] = null,
        ["incomplete_details"] = null,
        ["instructions"] = null,
        ["model"] = model,
        ["output"] = output,
        ["parallel_tool_calls"] = true,
        ["previous_response_id"] = null,
        ["store"] = false,
        ["tool_choice"] = "auto",
        ["tools"] = new JsonArray(),
        ["usage"] = usage?.DeepClone(),
        ["metadata"] = new JsonObject(),
    };
}
