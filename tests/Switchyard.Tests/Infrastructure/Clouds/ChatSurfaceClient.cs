using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI.Chat;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>Chat Completions through the official OpenAI SDK; reasoning is read from the JSON the SDK keeps (<c>reasoning_content</c> is not in its model).</summary>
public sealed class ChatSurfaceClient : SurfaceClient
{
    public override Task<Reply> AskAsync(GatewayInstance gateway, string model, Scenario scenario, bool stream, string key = GatewayInstance.UserKey)
    {
        ChatMessage question = scenario == Scenario.Image
            ? new UserChatMessage(ChatMessageContentPart.CreateTextPart(Story.Prompt(scenario)), ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(Pixel.Bytes), "image/png"))
            : new UserChatMessage(Story.Prompt(scenario));
        return SendAsync(gateway, model, scenario, [question], stream, key);
    }

    public override Task<Reply> AnswerToolAsync(GatewayInstance gateway, string model, Reply first, bool stream)
    {
        var call = Assert.Single(first.Calls);
        return SendAsync(gateway, model, Scenario.Tools,
        [
            new UserChatMessage(Story.Prompt(Scenario.Tools)),
            new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall(call.Id, call.Name, BinaryData.FromString(call.Arguments))]),
            new ToolChatMessage(call.Id, Story.ToolResult),
        ], stream);
    }

    private static async Task<Reply> SendAsync(GatewayInstance gateway, string model, Scenario scenario, List<ChatMessage> messages, bool stream, string key = GatewayInstance.UserKey)
    {
        var client = gateway.OpenAIClient(key).GetChatClient(model);
        var options = new ChatCompletionOptions();
        if (scenario == Scenario.Tools)
        {
            options.Tools.Add(ChatTool.CreateFunctionTool(Story.ToolName, Story.ToolDescription, BinaryData.FromString(Story.ToolSchema)));
        }

        if (scenario == Scenario.Reasoning)
        {
            options.ReasoningEffortLevel = ChatReasoningEffortLevel.Low;
        }

        if (!stream)
        {
            var result = await client.CompleteChatAsync(messages, options, Cancel);
            var completion = result.Value;
            var raw = JsonNode.Parse(result.GetRawResponse().Content.ToString())!;
            return new Reply(
                string.Concat(completion.Content.Select(p => p.Text)),
                (string?)raw["choices"]![0]!["message"]!["reasoning_content"] ?? string.Empty,
                completion.ToolCalls.Select(c => new ReplyCall(c.Id, c.FunctionName, c.FunctionArguments.ToString())).ToList(),
                completion.Usage.InputTokenCount,
                completion.Usage.OutputTokenCount,
                Finish(completion.FinishReason));
        }

        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        var calls = new SortedDictionary<int, (string? Id, string? Name, string Arguments)>();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync(messages, options, Cancel))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
            var json = JsonNode.Parse(ModelReaderWriter.Write(update).ToString())!;
            if (json["choices"] is JsonArray { Count: > 0 } choices)
            {
                reasoning.Append((string?)choices[0]!["delta"]?["reasoning_content"]);
            }

            foreach (var call in update.ToolCallUpdates)
            {
                var (id, name, arguments) = calls.GetValueOrDefault(call.Index, (null, null, string.Empty));
                calls[call.Index] = (id ?? call.ToolCallId, name ?? call.FunctionName, arguments + call.FunctionArgumentsUpdate?.ToString());
            }

            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.NotNull(usage);
        Assert.NotNull(finish);
        return new Reply(
            text.ToString(),
            reasoning.ToString(),
            calls.Values.Select(c => new ReplyCall(c.Id!, c.Name!, c.Arguments)).ToList(),
            usage.InputTokenCount,
            usage.OutputTokenCount,
            Finish(finish.Value));
    }

    private static string Finish(ChatFinishReason reason) => reason switch
    {
        ChatFinishReason.ToolCalls => "tool_calls",
        ChatFinishReason.Stop => "stop",
        _ => reason.ToString(),
    };
}
