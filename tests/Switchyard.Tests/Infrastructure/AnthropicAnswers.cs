using System.Text.Json;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// What an Anthropic upstream answers, in its real wire format (https://docs.anthropic.com/en/api/messages,
/// https://docs.anthropic.com/en/docs/build-with-claude/streaming), for scripting a <see cref="FakeUpstream"/>.
/// </summary>
public static class AnthropicAnswers
{
    public const string UpstreamModel = "claude-upstream-2025";

    /// <summary>A signature as Anthropic issues them: opaque base64 that must come back byte for byte.</summary>
    public const string Signature = "EqQBCkgIARABGAIiQKx3/9+Zq1vJ0mOSig8Lk1T0uPcm5Ttm+2rDvUQ3m1e7B0fB0Xw==";

    /// <summary>A whole <c>message</c> object with the given content blocks (a JSON array).</summary>
    public static string Message(string contentJson, string stopReason = "end_turn", int inputTokens = 12, int outputTokens = 6, string? stopSequence = null) => $$$"""
        {"id":"msg_01Up","type":"message","role":"assistant","model":"{{{UpstreamModel}}}","content":{{{contentJson}}},"stop_reason":"{{{stopReason}}}","stop_sequence":{{{(stopSequence is null ? "null" : JsonSerializer.Serialize(stopSequence))}}},"usage":{"input_tokens":{{{inputTokens}}},"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":{{{outputTokens}}}}}
        """;

    public static string Text(string text, int inputTokens = 12, int outputTokens = 6) =>
        Message($$$"""[{"type":"text","text":{{{JsonSerializer.Serialize(text)}}}}]""", inputTokens: inputTokens, outputTokens: outputTokens);

    public static string Error(string type, string message) =>
        $$$"""{"type":"error","error":{"type":"{{{type}}}","message":{{{JsonSerializer.Serialize(message)}}}},"request_id":"req_011Up"}""";

    public static string Event(string type, string json) => $"event: {type}\ndata: {json}";

    public static string MessageStart(int inputTokens = 12) => Event("message_start", $$$"""
        {"type":"message_start","message":{"id":"msg_01Up","type":"message","role":"assistant","model":"{{{UpstreamModel}}}","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":{{{inputTokens}}},"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1} }}
        """);

    public static string TextStart(int index) =>
        Event("content_block_start", $$$"""{"type":"content_block_start","index":{{{index}}},"content_block":{"type":"text","text":""}}""");

    public static string ThinkingStart(int index) =>
        Event("content_block_start", $$$"""{"type":"content_block_start","index":{{{index}}},"content_block":{"type":"thinking","thinking":"","signature":""}}""");

    public static string ToolUseStart(int index, string id, string name) =>
        Event("content_block_start", $$$"""{"type":"content_block_start","index":{{{index}}},"content_block":{"type":"tool_use","id":"{{{id}}}","name":"{{{name}}}","input":{} }}""");

    public static string TextDelta(int index, string text) => Delta(index, "text_delta", "text", text);

    public static string ThinkingDelta(int index, string thinking) => Delta(index, "thinking_delta", "thinking", thinking);

    public static string SignatureDelta(int index, string signature) => Delta(index, "signature_delta", "signature", signature);

    public static string InputJsonDelta(int index, string partialJson) => Delta(index, "input_json_delta", "partial_json", partialJson);

    public static string BlockStop(int index) =>
        Event("content_block_stop", $$$"""{"type":"content_block_stop","index":{{{index}}}}""");

    public static string MessageDelta(string stopReason, int outputTokens = 9) =>
        Event("message_delta", $$$"""{"type":"message_delta","delta":{"stop_reason":"{{{stopReason}}}","stop_sequence":null},"usage":{"output_tokens":{{{outputTokens}}}}}""");

    public static string MessageStop() => Event("message_stop", """{"type":"message_stop"}""");

    public static string Ping() => Event("ping", """{"type": "ping"}""");

    /// <summary>A whole text answer as Anthropic streams it, with a ping after the start as the API sends one.</summary>
    public static List<string> TextStream(params string[] pieces)
    {
        var frames = new List<string> { MessageStart(), TextStart(0), Ping() };
        frames.AddRange(pieces.Select(piece => TextDelta(0, piece)));
        frames.AddRange([BlockStop(0), MessageDelta("end_turn", pieces.Length), MessageStop()]);
        return frames;
    }

    private static string Delta(int index, string type, string field, string value) => Event("content_block_delta", $$$"""
        {"type":"content_block_delta","index":{{{index}}},"delta":{"type":"{{{type}}}","{{{field}}}":{{{JsonSerializer.Serialize(value)}}}}}
        """);
}
