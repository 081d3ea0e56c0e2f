using System.Text.Json.Nodes;
using OpenAI.Responses;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>
/// The Responses API through the official OpenAI SDK, not stored (each turn carries the whole
/// conversation). A streamed answer's text and reasoning are the deltas' concatenation; its calls
/// and usage come from the completed response.
/// </summary>
public sealed class ResponsesSurfaceClient : SurfaceClient
{
    public override Task<Reply> AskAsync(GatewayInstance gateway, string model, Scenario scenario, bool stream, string key = GatewayInstance.UserKey)
    {
        var question = scenario == Scenario.Image
            ? ResponseItem.CreateUserMessageItem(
            [
                ResponseContentPart.CreateInputTextPart(Story.Prompt(scenario)),
                ResponseContentPart.CreateInputImagePart(BinaryData.FromBytes(Pixel.Bytes, "image/png"), ResponseImageDetailLevel.Low),
            ])
            : ResponseItem.CreateUserMessageItem(Story.Prompt(scenario));
        return SendAsync(gateway, model, scenario, [question], stream, key);
    }

    public override Task<Reply> AnswerToolAsync(GatewayInstance gateway, string model, Reply first, bool stream)
    {
        var call = Assert.Single(first.Calls);
        return SendAsync(gateway, model, Scenario.Tools,
        [
            ResponseItem.CreateUserMessageItem(Story.Prompt(Scenario.Tools)),
            ResponseItem.CreateFunctionCallItem(call.Id, call.Name, BinaryData.FromString(call.Arguments)),
            ResponseItem.CreateFunctionCallOutputItem(call.Id, Story.ToolResult),
        ], stream);
    }

    private static async Task<Reply> SendAsync(GatewayInstance gateway, string model, Scenario scenario, List<ResponseItem> input, bool stream, string key = GatewayInstance.UserKey)
    {
        var client = gateway.OpenAIClient(key).GetResponsesClient();
        var options = new CreateResponseOptions(model, input) { StoredOutputEnabled = false, StreamingEnabled = stream };
        if (scenario == Scenario.Tools)
        {
            options.Tools.Add(ResponseTool.CreateFunctionTool(Story.ToolName, BinaryData.FromString(Story.ToolSchema), strictModeEnabled: false, Story.ToolDescription));
        }

        if (scenario == Scenario.Reasoning)
        {
            options.ReasoningOptions = new ResponseReasoningOptions
            {
                ReasoningEffortLevel = ResponseReasoningEffortLevel.Low,
                ReasoningSummaryVerbosity = ResponseReasoningSummaryVerbosity.Detailed,
            };
        }

        if (!stream)
        {
            var result = await client.CreateResponseAsync(options, Cancel);
            var answer = JsonNode.Parse(result.GetRawResponse().Content.ToString())!;
            return Read(answer, TextOf(answer), ReasoningOf(answer));
        }

        // The SDK cannot serialize a streamed response again, so its typed view is read here.
        var updates = await ResponsesEvents.CollectAsync(client.CreateResponseStreamingAsync(options, Cancel));
        var completed = Assert.Single(updates.OfType<StreamingResponseCompletedUpdate>()).Response;
        var calls = completed.OutputItems.OfType<FunctionCallResponseItem>().Select(c => new ReplyCall(c.CallId, c.FunctionName, c.FunctionArguments.ToString())).ToList();
        Assert.Equal(ResponseStatus.Completed, completed.Status);
        return new Reply(
            string.Concat(updates.OfType<StreamingResponseOutputTextDeltaUpdate>().Select(u => u.Delta)),
            string.Concat(updates.OfType<StreamingResponseReasoningSummaryTextDeltaUpdate>().Select(u => u.Delta)),
            calls,
            completed.Usage.InputTokenCount,
            completed.Usage.OutputTokenCount,
            calls.Count > 0 ? "tool_calls" : "stop");
    }

    private static Reply Read(JsonNode answer, string text, string reasoning)
    {
        var calls = Items(answer, "function_call").Select(i => new ReplyCall((string)i["call_id"]!, (string)i["name"]!, (string)i["arguments"]!)).ToList();
        var usage = answer["usage"]!;
        return new Reply(text, reasoning, calls, (long)usage["input_tokens"]!, (long)usage["output_tokens"]!, calls.Count > 0 ? "tool_calls" : "stop");
    }

    private static string TextOf(JsonNode answer) =>
        string.Concat(Items(answer, "message").SelectMany(m => m["content"]!.AsArray()).Select(p => (string?)p!["text"]));

    private static string ReasoningOf(JsonNode answer) =>
        string.Concat(Items(answer, "reasoning").SelectMany(r => r["summary"]!.AsArray()).Select(p => (string?)p!["text"]));

    private static IEnumerable<JsonNode> Items(JsonNode answer, string type) =>
        answer["output"]!.AsArray().Where(i => (string?)i!["type"] == type).Select(i => i!);
}
