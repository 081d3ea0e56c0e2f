using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic.Models.Messages;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>Anthropic Messages through the official Anthropic SDK; a stream is read event by event as the SDK parsed it.</summary>
public sealed class MessagesSurfaceClient : SurfaceClient
{
    public override Task<Reply> AskAsync(GatewayInstance gateway, string model, Scenario scenario, bool stream, string key = GatewayInstance.UserKey)
    {
        MessageParam question = scenario == Scenario.Image
            ? new UserMessageParam(new List<ContentBlockParam>
            {
                new TextBlockParam(Story.Prompt(scenario)),
                new ImageBlockParam(new Base64ImageSource { Data = Pixel.Png, MediaType = MediaType.ImagePng }),
            })
            : new UserMessageParam(Story.Prompt(scenario));
        return SendAsync(gateway, model, scenario, [question], stream, key);
    }

    public override Task<Reply> AnswerToolAsync(GatewayInstance gateway, string model, Reply first, bool stream)
    {
        var call = Assert.Single(first.Calls);
        using var arguments = JsonDocument.Parse(call.Arguments);
        var input = arguments.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        return SendAsync(gateway, model, Scenario.Tools,
        [
            new UserMessageParam(Story.Prompt(Scenario.Tools)),
            new AssistantMessageParam(new List<ContentBlockParam> { new ToolUseBlockParam { ID = call.Id, Name = call.Name, Input = input } }),
            new UserMessageParam(new List<ContentBlockParam> { new ToolResultBlockParam(call.Id) { Content = Story.ToolResult } }),
        ], stream);
    }

    private static async Task<Reply> SendAsync(GatewayInstance gateway, string model, Scenario scenario, List<MessageParam> messages, bool stream, string key = GatewayInstance.UserKey)
    {
        using var client = gateway.AnthropicClient(key);
        var parameters = new MessageCreateParams
        {
            Model = model,
            MaxTokens = scenario == Scenario.Reasoning ? 4096 : 1024,
            Messages = messages,
            Tools = scenario == Scenario.Tools ? [AnthropicTools.Weather()] : null,
            Thinking = scenario == Scenario.Reasoning ? new ThinkingConfigEnabled { BudgetTokens = 1024 } : (ThinkingConfigParam?)null,
        };
        if (!stream)
        {
            var message = await client.Messages.Create(parameters, Cancel);
            var text = new StringBuilder();
            var reasoning = new StringBuilder();
            var calls = new List<ReplyCall>();
            foreach (var block in message.Content)
            {
                if (block.TryPickText(out var textBlock))
                {
                    text.Append(textBlock.Text);
                }
                else if (block.TryPickThinking(out var thinking))
                {
                    reasoning.Append(thinking.Thinking);
                }
                else if (block.TryPickToolUse(out var toolUse))
                {
                    var json = new JsonObject(toolUse.Input.Select(p => KeyValuePair.Create(p.Key, JsonNode.Parse(p.Value.GetRawText()))));
                    calls.Add(new ReplyCall(toolUse.ID, toolUse.Name, json.ToJsonString()));
                }
            }

            return new Reply(text.ToString(), reasoning.ToString(), calls, message.Usage.InputTokens, message.Usage.OutputTokens, Finish(message.StopReason?.Raw()));
        }

        var events = await AnthropicEvents.ReadAsync(client, parameters);
        var blocks = events.Where(e => (string?)e["type"] == "content_block_start").ToDictionary(e => (int)e["index"]!, e => e["content_block"]!);
        var delta = events.Single(e => (string?)e["type"] == "message_delta");
        Assert.Equal("message_stop", (string?)events[^1]["type"]);
        return new Reply(
            string.Concat(blocks.Where(b => (string?)b.Value["type"] == "text").SelectMany(b => AnthropicEvents.Deltas(events, b.Key, "text"))),
            string.Concat(blocks.Where(b => (string?)b.Value["type"] == "thinking").SelectMany(b => AnthropicEvents.Deltas(events, b.Key, "thinking"))),
            blocks.Where(b => (string?)b.Value["type"] == "tool_use")
                .Select(b => new ReplyCall((string)b.Value["id"]!, (string)b.Value["name"]!, string.Concat(AnthropicEvents.Deltas(events, b.Key, "partial_json"))))
                .ToList(),
            // message_delta's counts are cumulative and, where present, final (its input too, when the upstream counts at the end).
            (long?)delta["usage"]!["input_tokens"] ?? (long)events[0]["message"]!["usage"]!["input_tokens"]!,
            (long)delta["usage"]!["output_tokens"]!,
            Finish((string?)delta["delta"]!["stop_reason"]));
    }

    private static string Finish(string? stopReason) => stopReason switch
    {
        "tool_use" => "tool_calls",
        "end_turn" => "stop",
        _ => stopReason ?? "none",
    };
}
