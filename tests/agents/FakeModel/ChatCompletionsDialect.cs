using System.Text.Json.Nodes;

namespace Switchyard.Agents.FakeModel;

/// <summary>OpenAI Chat Completions (<c>POST /v1/chat/completions</c>), streaming or not, with function and custom tools.</summary>
internal sealed class ChatCompletionsDialect : Dialect
{
    public override string Name => "chat";

    public override string NewCallId() => Script.NewId("call_");

    public override bool IsAuthenticated(HttpRequest request, string key) => request.Headers.Authorization.ToString() == "Bearer " + key;

    public override ParsedRequest Read(JsonObject body)
    {
        var model = String(body["model"]) ?? throw new ApiRejection(400, "you must provide a model parameter");
        if (body["messages"] is not JsonArray { Count: > 0 } messages)
        {
            throw new ApiRejection(400, "Invalid 'messages': empty array. Expected an array with minimum length 1.");
        }

        var items = new List<Item>();
        var unanswered = new List<string>();
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i] as JsonObject ?? throw new ApiRejection(400, $"Invalid type for 'messages[{i}]': expected an object.");
            var role = String(message["role"]);
            if (role != "tool" && unanswered.Count > 0)
            {
                throw new ApiRejection(400, $"An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: {string.Join(", ", unanswered)}");
            }

            switch (role)
            {
                case "system" or "developer":
                    break;
                case "user":
                    items.Add(new UserText(Text(message["content"])));
                    break;
                case "assistant":
                    if (Text(message["content"]) is { Length: > 0 } text)
                    {
                        items.Add(new AssistantText(text));
                    }

                    foreach (var call in message["tool_calls"] as JsonArray ?? [])
                    {
                        var id = String(call?["id"]) ?? throw new ApiRejection(400, $"Missing required parameter: 'messages[{i}].tool_calls[0].id'.");
                        items.Add(String(call!["type"]) == "custom"
                            ? new ToolCall(id, String(call["custom"]?["name"]) ?? "", String(call["custom"]?["input"]) ?? "", null)
                            : new ToolCall(id, String(call["function"]?["name"]) ?? "", String(call["function"]?["arguments"]) ?? "", null));
                        unanswered.Add(id);
                    }

                    break;
                case "tool":
                    var answered = String(message["tool_call_id"]);
                    if (answered is null || !unanswered.Remove(answered))
                    {
                        throw new ApiRejection(400, $"Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.");
                    }

                    items.Add(new ToolResult(answered, null, Text(message["content"])));
                    break;
                default:
                    throw new ApiRejection(400, $"Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', 'tool', 'function', and 'developer'.");
            }
        }

        if (unanswered.Count > 0)
        {
            throw new ApiRejection(400, $"An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: {string.Join(", ", unanswered)}");
        }

        var tools = new List<OfferedTool>();
        var declared = body["tools"] as JsonArray ?? [];
        for (var i = 0; i < declared.Count; i++)
        {
            var tool = declared[i] as JsonObject;
            switch (String(tool?["type"]))
            {
                case "function":
                    tools.Add(new OfferedTool(String(tool!["function"]?["name"]) ?? throw new ApiRejection(400, $"Missing required parameter: 'tools[{i}].function.name'."),
                        ToolKind.Function, tool["function"]?["parameters"] as JsonObject));
                    break;
                case "custom":
                    tools.Add(new OfferedTool(String(tool!["custom"]?["name"]) ?? throw new ApiRejection(400, $"Missing required parameter: 'tools[{i}].custom.name'."),
                        ToolKind.Custom, null));
                    break;
                case var other:
                    throw new ApiRejection(400, $"Invalid value: '{other}'. Supported values are: 'function' and 'custom'. (param: tools[{i}].type)");
            }
        }

        var format = body["response_format"] as JsonObject;
        return new ParsedRequest(model, body["stream"]?.GetValue<bool>() == true, items, tools)
        {
            WantsJson = String(format?["type"]) is "json_schema" or "json_object",
            OutputSchema = format?["json_schema"]?["schema"] as JsonObject,
        };
    }

    public override async Task WriteAnswerAsync(HttpContext context, ParsedRequest request, Answer answer)
    {
        var id = Script.NewId("chatcmpl-");
        var (message, finish, outputText) = answer switch
        {
            TextAnswer text => (new JsonObject { ["role"] = "assistant", ["content"] = text.Text, ["refusal"] = null }, "stop", text.Text),
            ToolCallAnswer call => (new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(ToolCallJson(call, 0, streamed: false)) }, "tool_calls", call.Arguments),
            _ => throw new InvalidOperationException(),
        };
        var usage = new JsonObject
        {
            ["prompt_tokens"] = 100,
            ["completion_tokens"] = Tokens(outputText),
            ["total_tokens"] = 100 + Tokens(outputText),
            ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
            ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
        };
        if (!request.Stream)
        {
            await WriteJsonAsync(context, new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion",
                ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                ["model"] = request.Model,
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["logprobs"] = null, ["finish_reason"] = finish }),
                ["usage"] = usage,
            });
            return;
        }

        StartStream(context);
        JsonObject Chunk(JsonObject delta, string? finishReason) => new()
        {
            ["id"] = id,
            ["object"] = "chat.completion.chunk",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = request.Model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finishReason }),
        };
        if (answer is TextAnswer textAnswer)
        {
            await WriteEventAsync(context, null, Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null).ToJsonString());
            foreach (var piece in Pieces(textAnswer.Text))
            {
                await WriteEventAsync(context, null, Chunk(new JsonObject { ["content"] = piece }, null).ToJsonString());
            }
        }
        else if (answer is ToolCallAnswer call)
        {
            await WriteEventAsync(context, null, Chunk(new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(ToolCallJson(call, 0, streamed: true)) }, null).ToJsonString());
            foreach (var piece in Pieces(call.Arguments))
            {
                var fragment = call.Tool.Kind == ToolKind.Custom
                    ? new JsonObject { ["index"] = 0, ["custom"] = new JsonObject { ["input"] = piece } }
                    : new JsonObject { ["index"] = 0, ["function"] = new JsonObject { ["arguments"] = piece } };
                await WriteEventAsync(context, null, Chunk(new JsonObject { ["tool_calls"] = new JsonArray(fragment) }, null).ToJsonString());
            }
        }

        await WriteEventAsync(context, null, Chunk(new JsonObject(), finish).ToJsonString());
        if (request.Body?["stream_options"]?["include_usage"]?.GetValue<bool>() == true)
        {
            var last = Chunk(new JsonObject(), null);
            last["choices"] = new JsonArray();
            last["usage"] = usage;
            await WriteEventAsync(context, null, last.ToJsonString());
        }

        await WriteEventAsync(context, null, "[DONE]");
    }

    public override Task WriteErrorAsync(HttpContext context, int status, string message) =>
        WriteJsonAsync(context, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = message,
                ["type"] = "invalid_request_error",
                ["param"] = null,
                ["code"] = status == 401 ? "invalid_api_key" : null,
            },
        }, status);

    private static JsonObject ToolCallJson(ToolCallAnswer call, int index, bool streamed)
    {
        var json = new JsonObject { ["id"] = call.CallId, ["type"] = call.Tool.Kind == ToolKind.Custom ? "custom" : "function" };
        if (streamed)
        {
            json["index"] = index;
        }

        json[call.Tool.Kind == ToolKind.Custom ? "custom" : "function"] = call.Tool.Kind == ToolKind.Custom
            ? new JsonObject { ["name"] = call.Tool.Name, ["input"] = streamed ? "" : call.Arguments }
            : new JsonObject { ["name"] = call.Tool.Name, ["arguments"] = streamed ? "" : call.Arguments };
        return json;
    }

    /// <summary>A text cut in a few pieces, so clients see it arrive in several deltas.</summary>
    internal static IEnumerable<string> Pieces(string text)
    {
        const int Size = 16;
        for (var i = 0; i < text.Length; i += Size)
        {
            yield return text.Substring(i, Math.Min(Size, text.Length - i));
        }
    }
}
