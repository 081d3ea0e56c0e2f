using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Switchyard.Agents.FakeModel;

/// <summary>
/// Anthropic Messages (<c>POST /v1/messages</c>), streaming or not, with client tools. With
/// thinking on, every answer starts with a signed thinking block, and a tool-use continuation
/// whose last assistant message does not start with one of those blocks is refused, as the real
/// API does (extended thinking docs: "a final assistant message must start with a thinking block").
/// </summary>
internal sealed class AnthropicDialect : Dialect
{
    private readonly ConcurrentDictionary<string, byte> _signatures = new();

    // Server tools a request may name by type (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/overview).
    private static readonly string[] ServerToolPrefixes =
    [
        "web_search_", "web_fetch_", "code_execution_", "bash_", "text_editor_", "computer_", "memory_", "tool_search_tool_", "mcp_toolset",
    ];

    public override string Name => "anthropic";

    public override string NewCallId() => Script.NewId("toolu_01");

    public override bool IsAuthenticated(HttpRequest request, string key) =>
        request.Headers["x-api-key"].ToString() == key && request.Headers["anthropic-version"].ToString().Length > 0;

    public override ParsedRequest Read(JsonObject body)
    {
        var model = String(body["model"]) ?? throw new ApiRejection(400, "model: Field required");
        if (body["max_tokens"] is null)
        {
            throw new ApiRejection(400, "max_tokens: Field required");
        }

        var messages = body["messages"] as JsonArray ?? throw new ApiRejection(400, "messages: Field required");
        var items = new List<Item>();
        var breakpoints = CacheBreakpoints(body["system"]) + CacheBreakpoints(body["tools"]);
        var pendingUses = new List<string>();
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i] as JsonObject ?? throw new ApiRejection(400, $"messages.{i}: Input should be a valid dictionary");
            var role = String(message["role"]);
            breakpoints += CacheBreakpoints(message["content"]);
            var blocks = message["content"] switch
            {
                JsonValue text => [new JsonObject { ["type"] = "text", ["text"] = text.DeepClone() }],
                JsonArray array => array.OfType<JsonObject>().ToList(),
                _ => throw new ApiRejection(400, $"messages.{i}.content: Field required"),
            };
            var results = blocks.Where(b => String(b["type"]) == "tool_result").Select(b => String(b["tool_use_id"]) ?? "").ToList();
            if (pendingUses.Count > 0)
            {
                if (role != "user" || pendingUses.Except(results).ToList() is { Count: > 0 } missing)
                {
                    throw new ApiRejection(400, $"messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately after: {string.Join(", ", pendingUses.Except(results))}. Each `tool_use` block must have a corresponding `tool_result` block in the next message.");
                }
            }

            // "tool_result blocks must come FIRST in the content array" (tool use docs: a 400 otherwise).
            if (results.Count > 0 && blocks.TakeWhile(b => String(b["type"]) == "tool_result").Count() != results.Count)
            {
                throw new ApiRejection(400, $"messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately after: {string.Join(", ", pendingUses)}. Each `tool_use` block must have a corresponding `tool_result` block in the next message.");
            }

            if (results.GroupBy(r => r).FirstOrDefault(g => g.Count() > 1) is { } repeated)
            {
                throw new ApiRejection(400, $"messages.{i}.content: each tool_use must have a single result. Found multiple `tool_result` blocks with id: {repeated.Key}");
            }

            if (results.Except(pendingUses).FirstOrDefault() is { } unexpected)
            {
                throw new ApiRejection(400, $"messages.{i}.content: unexpected `tool_use_id` found in `tool_result` blocks: {unexpected}. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.");
            }

            pendingUses.Clear();
            switch (role)
            {
                case "user":
                    foreach (var block in blocks)
                    {
                        switch (String(block["type"]))
                        {
                            case "text":
                                items.Add(new UserText(String(block["text"]) ?? ""));
                                break;
                            case "tool_result":
                                items.Add(new ToolResult(String(block["tool_use_id"]), null, Text(block["content"])));
                                break;
                        }
                    }

                    break;
                case "assistant":
                    foreach (var block in blocks)
                    {
                        switch (String(block["type"]))
                        {
                            case "text":
                                items.Add(new AssistantText(String(block["text"]) ?? ""));
                                break;
                            case "tool_use":
                                var id = String(block["id"]) ?? throw new ApiRejection(400, $"messages.{i}.content: tool_use.id: Field required");
                                pendingUses.Add(id);
                                items.Add(new ToolCall(id, String(block["name"]) ?? "", block["input"]?.ToJsonString() ?? "{}", null));
                                break;
                        }
                    }

                    break;
                case "system":
                    // Claude Code's mid-conversation system messages (a beta the API accepts).
                    break;
                default:
                    throw new ApiRejection(400, $"messages.{i}.role: Input should be 'user' or 'assistant'");
            }
        }

        if (ThinkingEnabled(body) && LastToolUseTurn(messages) is var (at, first) && at >= 0)
        {
            if (String(first?["type"]) is not ("thinking" or "redacted_thinking"))
            {
                throw new ApiRejection(400, $"messages.{at}.content.0.type: Expected `thinking` or `redacted_thinking`, but found `{String(first?["type"])}`. When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable `thinking`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking");
            }

            if (String(first!["type"]) == "thinking" && !_signatures.ContainsKey(String(first["signature"]) ?? ""))
            {
                throw new ApiRejection(400, $"messages.{at}.content.0: Invalid `signature` in `thinking` block");
            }
        }

        if (pendingUses.Count > 0)
        {
            throw new ApiRejection(400, $"messages.{messages.Count - 1}: `tool_use` ids were found without `tool_result` blocks immediately after: {string.Join(", ", pendingUses)}. Each `tool_use` block must have a corresponding `tool_result` block in the next message.");
        }

        if (breakpoints > 4)
        {
            throw new ApiRejection(400, $"A maximum of 4 blocks with cache_control may be provided. Found {breakpoints}.");
        }

        var tools = new List<OfferedTool>();
        var declared = body["tools"] as JsonArray ?? [];
        for (var i = 0; i < declared.Count; i++)
        {
            var tool = declared[i] as JsonObject ?? throw new ApiRejection(400, $"tools.{i}: Input should be a valid dictionary");
            var type = String(tool["type"]);
            if (type is null or "custom")
            {
                var name = String(tool["name"]) ?? throw new ApiRejection(400, $"tools.{i}.custom.name: Field required");
                var schema = tool["input_schema"] as JsonObject ?? throw new ApiRejection(400, $"tools.{i}.custom.input_schema: Field required");
                tools.Add(new OfferedTool(name, ToolKind.Function, schema));
            }
            else if (!ServerToolPrefixes.Any(type.StartsWith))
            {
                throw new ApiRejection(400, $"tools.{i}: Input tag '{type}' found using 'type' does not match any of the expected tags");
            }
        }

        var format = (body["output_config"]?["format"] ?? body["output_format"]) as JsonObject;
        return new ParsedRequest(model, body["stream"]?.GetValue<bool>() == true, items, tools)
        {
            WantsJson = String(format?["type"]) == "json_schema",
            OutputSchema = format?["schema"] as JsonObject,
        };
    }

    private static bool ThinkingEnabled(JsonObject body) => String(body["thinking"]?["type"]) is "enabled" or "adaptive";

    /// <summary>
    /// The last assistant message and its first block, when the conversation ends in its tool
    /// results (a tool-use loop still running); (-1, null) when it ends in a new user prompt.
    /// </summary>
    private static (int At, JsonObject? First) LastToolUseTurn(JsonArray messages)
    {
        var last = messages.Count - 1;
        if (last < 1 || String(messages[last]?["role"]) != "user" || messages[last]?["content"] is not JsonArray blocks
            || !blocks.Any(b => String(b?["type"]) == "tool_result") || String(messages[last - 1]?["role"]) != "assistant")
        {
            return (-1, null);
        }

        return (last - 1, (messages[last - 1]!["content"] as JsonArray)?.FirstOrDefault() as JsonObject);
    }

    private static int CacheBreakpoints(JsonNode? node) => node switch
    {
        JsonArray array => array.Sum(CacheBreakpoints),
        JsonObject block => (block["cache_control"] is JsonObject ? 1 : 0) + (block["content"] is JsonArray inner ? CacheBreakpoints(inner) : 0),
        _ => 0,
    };

    public override async Task WriteAnswerAsync(HttpContext context, ParsedRequest request, Answer answer)
    {
        var id = Script.NewId("msg_01");
        var (block, stopReason, outputText) = answer switch
        {
            TextAnswer text => (new JsonObject { ["type"] = "text", ["text"] = text.Text }, "end_turn", text.Text),
            ToolCallAnswer call => (new JsonObject { ["type"] = "tool_use", ["id"] = call.CallId, ["name"] = call.Tool.Name, ["input"] = JsonNode.Parse(call.Arguments) }, "tool_use", call.Arguments),
            _ => throw new InvalidOperationException(),
        };
        JsonObject Usage(int output) => new()
        {
            ["input_tokens"] = 100,
            ["cache_creation_input_tokens"] = 0,
            ["cache_read_input_tokens"] = 0,
            ["output_tokens"] = output,
        };
        JsonObject Message(JsonArray content, string? stop, int output) => new()
        {
            ["id"] = id,
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = request.Model,
            ["content"] = content,
            ["stop_reason"] = stop,
            ["stop_sequence"] = null,
            ["usage"] = Usage(output),
        };
        var thinking = ThinkingEnabled(request.Body!)
            ? (Text: String(request.Body!["thinking"]?["display"]) == "omitted" ? "" : "The user wants a file written; the write tool takes a path and content.",
               Signature: Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)))
            : default;
        if (thinking.Signature is not null)
        {
            _signatures[thinking.Signature] = 0;
        }

        if (!request.Stream)
        {
            var content = thinking.Signature is null
                ? new JsonArray(block)
                : new JsonArray(new JsonObject { ["type"] = "thinking", ["thinking"] = thinking.Text, ["signature"] = thinking.Signature }, block);
            await WriteJsonAsync(context, Message(content, stopReason, Tokens(outputText)));
            return;
        }

        StartStream(context);
        async Task Send(string type, JsonObject data)
        {
            data["type"] = type;
            await WriteEventAsync(context, type, data.ToJsonString());
        }

        await Send("message_start", new JsonObject { ["message"] = Message([], null, 1) });
        var index = 0;
        if (thinking.Signature is not null)
        {
            await Send("content_block_start", new JsonObject { ["index"] = index, ["content_block"] = new JsonObject { ["type"] = "thinking", ["thinking"] = "", ["signature"] = "" } });
            if (thinking.Text.Length > 0)
            {
                await Send("content_block_delta", new JsonObject { ["index"] = index, ["delta"] = new JsonObject { ["type"] = "thinking_delta", ["thinking"] = thinking.Text } });
            }

            await Send("content_block_delta", new JsonObject { ["index"] = index, ["delta"] = new JsonObject { ["type"] = "signature_delta", ["signature"] = thinking.Signature } });
            await Send("content_block_stop", new JsonObject { ["index"] = index++ });
        }

        switch (answer)
        {
            case TextAnswer text:
                await Send("content_block_start", new JsonObject { ["index"] = index, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } });
                foreach (var piece in ChatCompletionsDialect.Pieces(text.Text))
                {
                    await Send("content_block_delta", new JsonObject { ["index"] = index, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = piece } });
                }

                break;
            case ToolCallAnswer call:
                await Send("content_block_start", new JsonObject { ["index"] = index, ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = call.CallId, ["name"] = call.Tool.Name, ["input"] = new JsonObject() } });
                foreach (var piece in ChatCompletionsDialect.Pieces(call.Arguments))
                {
                    await Send("content_block_delta", new JsonObject { ["index"] = index, ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = piece } });
                }

                break;
        }

        await Send("content_block_stop", new JsonObject { ["index"] = index });
        await Send("message_delta", new JsonObject
        {
            ["delta"] = new JsonObject { ["stop_reason"] = stopReason, ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = Tokens(outputText) },
        });
        await Send("message_stop", []);
    }

    public override Task WriteErrorAsync(HttpContext context, int status, string message) =>
        WriteJsonAsync(context, new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = status == 401 ? "authentication_error" : "invalid_request_error", ["message"] = message },
        }, status);
}
