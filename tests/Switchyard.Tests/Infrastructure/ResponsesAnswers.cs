using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// What an OpenAI Responses upstream answers, in its real wire format
/// (https://platform.openai.com/docs/api-reference/responses/object and
/// https://platform.openai.com/docs/api-reference/responses-streaming), for scripting a <see cref="FakeUpstream"/>.
/// </summary>
public static class ResponsesAnswers
{
    public const string UpstreamModel = "gpt-5-pro-2025-10-06";

    public const string EncryptedContent = "gAAAAABopdDi7Yx2Vb3Nc4Md5Le6Kf7Jg8Ih9Hi0Gj1Fk2El3Dm4Cn5Bo6Ap7Zq8Yr9Xs0Wt1Vu2Ut3Ts4Sr5Rq6Qp7Po8On9Nm0Ml1Lk2Kj3Ji4Ih5Hg6Gf7Fe8Ed9Dc0Cb1Ba2Az3_yx4wv5ut6sr7qp8on9ml0==";

    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A whole <c>response</c> object with the given output items (a JSON array).</summary>
    public static string Response(string outputJson, string id = "resp_up_1", string status = "completed", int inputTokens = 20, int outputTokens = 8, int cachedTokens = 0, int reasoningTokens = 0)
    {
        var response = ResponseObject(id, status, JsonNode.Parse(outputJson)!.AsArray(), Usage(inputTokens, outputTokens, cachedTokens, reasoningTokens));
        return response.ToJsonString();
    }

    public static string Text(string text, string id = "resp_up_1") =>
        Response($$$"""[{{{MessageItem("msg_up_1", text).ToJsonString()}}}]""", id);

    public static string Error(string message, string type = "invalid_request_error", string? code = null) =>
        new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code } }.ToJsonString();

    public static JsonObject MessageItem(string id, string text, string status = "completed") => new()
    {
        ["id"] = id,
        ["type"] = "message",
        ["status"] = status,
        ["content"] = new JsonArray(TextPart(text)),
        ["role"] = "assistant",
    };

    public static JsonObject FunctionCallItem(string id, string callId, string name, string arguments, string status = "completed") => new()
    {
        ["id"] = id,
        ["type"] = "function_call",
        ["status"] = status,
        ["arguments"] = arguments,
        ["call_id"] = callId,
        ["name"] = name,
    };

    public static JsonObject ReasoningItem(string id, string summary, string? encryptedContent = EncryptedContent)
    {
        var item = new JsonObject { ["id"] = id, ["type"] = "reasoning" };
        if (encryptedContent is not null)
        {
            item["encrypted_content"] = encryptedContent;
        }

        item["summary"] = summary.Length == 0 ? new JsonArray() : new JsonArray(new JsonObject { ["type"] = "summary_text", ["text"] = summary });
        return item;
    }

    public static JsonObject Usage(int inputTokens, int outputTokens, int cachedTokens = 0, int reasoningTokens = 0) => new()
    {
        ["input_tokens"] = inputTokens,
        ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = cachedTokens },
        ["output_tokens"] = outputTokens,
        ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = reasoningTokens },
        ["total_tokens"] = inputTokens + outputTokens,
    };

    private static JsonObject TextPart(string text) => new()
    {
        ["type"] = "output_text",
        ["annotations"] = new JsonArray(),
        ["logprobs"] = new JsonArray(),
        ["text"] = text,
    };

    private static JsonObject ResponseObject(string id, string status, JsonArray output, JsonObject? usage) => new()
    {
        ["id"] = id,
        ["object"] = "response",
        ["created_at"] = 1755697377,
        ["status"] = status,
        ["background"] = false,
        ["error"] = null,
        ["incomplete_details"] = null,
        ["instructions"] = null,
        ["max_output_tokens"] = null,
        ["model"] = UpstreamModel,
        ["output"] = output,
        ["parallel_tool_calls"] = true,
        ["previous_response_id"] = null,
        ["reasoning"] = new JsonObject { ["effort"] = "medium", ["summary"] = "auto" },
        ["service_tier"] = "default",
        ["store"] = false,
        ["temperature"] = 1.0,
        ["text"] = new JsonObject { ["format"] = new JsonObject { ["type"] = "text" }, ["verbosity"] = "medium" },
        ["tool_choice"] = "auto",
        ["tools"] = new JsonArray(),
        ["top_p"] = 1.0,
        ["truncation"] = "disabled",
        ["usage"] = usage,
        ["user"] = null,
        ["metadata"] = new JsonObject(),
    };

    /// <summary>
    /// Builds a Responses event stream with sequence numbers 0, 1, 2… in the order OpenAI sends
    /// it: created and in_progress, each item from added to done, then the terminal event.
    /// </summary>
    public sealed class StreamBuilder(string id = "resp_up_1")
    {
        private readonly List<string> _frames = [];
        private readonly JsonArray _output = [];
        private int _sequence;

        public IReadOnlyList<string> Frames => _frames;

        public StreamBuilder Started()
        {
            Add("response.created", new JsonObject { ["response"] = ResponseObject(id, "in_progress", [], null) });
            Add("response.in_progress", new JsonObject { ["response"] = ResponseObject(id, "in_progress", [], null) });
            return this;
        }

        public StreamBuilder Message(string itemId, params string[] deltas)
        {
            var index = _output.Count;
            Add("response.output_item.added", new JsonObject { ["output_index"] = index, ["item"] = new JsonObject { ["id"] = itemId, ["type"] = "message", ["status"] = "in_progress", ["content"] = new JsonArray(), ["role"] = "assistant" } });
            Add("response.content_part.added", new JsonObject { ["item_id"] = itemId, ["output_index"] = index, ["content_index"] = 0, ["part"] = TextPart(string.Empty) });
            foreach (var delta in deltas)
            {
                Add("response.output_text.delta", new JsonObject { ["item_id"] = itemId, ["output_index"] = index, ["content_index"] = 0, ["delta"] = delta, ["logprobs"] = new JsonArray(), ["obfuscation"] = "x1Yz" });
            }

            var text = string.Concat(deltas);
            Add("response.output_text.done", new JsonObject { ["item_id"] = itemId, ["output_index"] = index, ["content_index"] = 0, ["text"] = text, ["logprobs"] = new JsonArray() });
            Add("response.content_part.done", new JsonObject { ["item_id"] = itemId, ["output_index"] = index, ["content_index"] = 0, ["part"] = TextPart(text) });
            return Done(index, MessageItem(itemId, text));
        }

        public StreamBuilder FunctionCall(string itemId, string callId, string name, params string[] argumentDeltas)
        {
            var index = _output.Count;
            Add("response.output_item.added", new JsonObject { ["output_index"] = index, ["item"] = FunctionCallItem(itemId, callId, name, string.Empty, "in_progress") });
            foreach (var delta in argumentDeltas)
            {
                Add("response.function_call_arguments.delta", new JsonObject { ["item_id"] = itemId, ["output_index"] = index, ["delta"] = delta, ["obfuscation"] = "Qm7x" });
            }

            var arguments = string.Concat(argumentDeltas);
            Add("response.function_call_arguments.done", new JsonObject { ["item_id"] = itemId, ["output_index"] = index, ["arguments"] = arguments });
            return Done(index, FunctionCallItem(itemId, callId, name, arguments));
        }

        public StreamBuilder Reasoning(string itemId, params string[] summaryDeltas)
        {
            var index = _output.Count;
            Add("response.output_item.added", new JsonObject { ["output_index"] = index, ["item"] = new JsonObject { ["id"] = itemId, ["type"] = "reasoning", ["summary"] = new JsonArray() } });
            Add("response.reasoning_summary_part.added", new JsonObject { ["item_id"] = itemId, ["output_index"] = index, ["summary_index"] = 0, ["part"] = new JsonObject { ["type"] = "summary_text", ["text"] = string.Empty } });
            foreach (var delta in summaryDeltas)
            {
                Add("response.reasoning_summary_text.delta", new JsonObject { ["item_id"] = itemId, ["output_index"] = index, ["summary_index"] = 0, ["delta"] = delta, ["obfuscation"] = "a9" });
            }

            var summary = string.Concat(summaryDeltas);
            Add("response.reasoning_summary_text.done", new JsonObject { ["item_id"] = itemId, ["output_index"] = index, ["summary_index"] = 0, ["text"] = summary });
            Add("response.reasoning_summary_part.done", new JsonObject { ["item_id"] = itemId, ["output_index"] = index, ["summary_index"] = 0, ["part"] = new JsonObject { ["type"] = "summary_text", ["text"] = summary } });
            return Done(index, ReasoningItem(itemId, summary));
        }

        /// <summary>An item started but never finished, as a stream that fails mid-way leaves it.</summary>
        public StreamBuilder PartialMessage(string itemId, string delta)
        {
            var index = _output.Count;
            Add("response.output_item.added", new JsonObject { ["output_index"] = index, ["item"] = new JsonObject { ["id"] = itemId, ["type"] = "message", ["status"] = "in_progress", ["content"] = new JsonArray(), ["role"] = "assistant" } });
            Add("response.content_part.added", new JsonObject { ["item_id"] = itemId, ["output_index"] = index, ["content_index"] = 0, ["part"] = TextPart(string.Empty) });
            Add("response.output_text.delta", new JsonObject { ["item_id"] = itemId, ["output_index"] = index, ["content_index"] = 0, ["delta"] = delta, ["logprobs"] = new JsonArray() });
            return this;
        }

        public StreamBuilder Completed(int inputTokens = 20, int outputTokens = 8, int cachedTokens = 0, int reasoningTokens = 0)
        {
            Add("response.completed", new JsonObject { ["response"] = ResponseObject(id, "completed", (JsonArray)_output.DeepClone(), Usage(inputTokens, outputTokens, cachedTokens, reasoningTokens)) });
            return this;
        }

        public StreamBuilder Failed(string message)
        {
            var response = ResponseObject(id, "failed", [], null);
            response["error"] = new JsonObject { ["code"] = "server_error", ["message"] = message };
            Add("response.failed", new JsonObject { ["response"] = response });
            return this;
        }

        public StreamBuilder Error(string code, string message)
        {
            Add("error", new JsonObject { ["code"] = code, ["message"] = message, ["param"] = null });
            return this;
        }

        private StreamBuilder Done(int index, JsonObject item)
        {
            _output.Add(item.DeepClone());
            Add("response.output_item.done", new JsonObject { ["output_index"] = index, ["item"] = item });
            return this;
        }

        private void Add(string type, JsonObject fields)
        {
            var data = new JsonObject { ["type"] = type, ["sequence_number"] = _sequence++ };
            foreach (var (name, value) in fields.ToList())
            {
                fields.Remove(name);
                data[name] = value;
            }

            _frames.Add($"event: {type}\ndata: {data.ToJsonString(Unescaped)}");
        }
    }
}
