using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Switchyard.Tests.Infrastructure;

/// <summary>What an OpenAI-compatible upstream answers, in its real wire format, for scripting a <see cref="FakeUpstream"/>.</summary>
public static class UpstreamAnswers
{
    public const string UpstreamModel = "gpt-upstream-2025";

    public static string ChatCompletion(string content, int promptTokens = 5, int completionTokens = 3) => $$$"""
        {"id":"chatcmpl-up1","object":"chat.completion","created":1700000000,"model":"{{{UpstreamModel}}}","choices":[{"index":0,"message":{"role":"assistant","content":{{{JsonSerializer.Serialize(content)}}}},"finish_reason":"stop"}],"usage":{"prompt_tokens":{{{promptTokens}}},"completion_tokens":{{{completionTokens}}},"total_tokens":{{{promptTokens + completionTokens}}}}}
        """;

    /// <summary>One <c>chat.completion.chunk</c> frame with the given delta and finish reason.</summary>
    public static string Chunk(string delta, string? finishReason = null) => $$$"""
        data: {"id":"chatcmpl-up1","object":"chat.completion.chunk","created":1700000000,"model":"{{{UpstreamModel}}}","system_fingerprint":"fp_up","choices":[{"index":0,"delta":{{{delta}}},"logprobs":null,"finish_reason":{{{(finishReason is null ? "null" : $"\"{finishReason}\"")}}}}]}
        """;

    public static string UsageChunk(int promptTokens, int completionTokens) => $$$"""
        data: {"id":"chatcmpl-up1","object":"chat.completion.chunk","created":1700000000,"model":"{{{UpstreamModel}}}","system_fingerprint":"fp_up","choices":[],"usage":{"prompt_tokens":{{{promptTokens}}},"completion_tokens":{{{completionTokens}}},"total_tokens":{{{promptTokens + completionTokens}}}}}
        """;

    /// <summary>A whole stream as OpenAI sends it with <c>include_usage</c>: role, text pieces, finish, usage chunk, <c>[DONE]</c>.</summary>
    public static List<string> TextStream(params string[] pieces)
    {
        var frames = new List<string> { Chunk("""{"role":"assistant","content":""}""") };
        frames.AddRange(pieces.Select(piece => Chunk($$$"""{"content":{{{JsonSerializer.Serialize(piece)}}}}""")));
        frames.Add(Chunk("{}", "stop"));
        frames.Add(UsageChunk(7, pieces.Length));
        frames.Add("data: [DONE]");
        return frames;
    }

    /// <summary>Answers an embeddings request in the encoding it asked for (the official SDKs ask for base64).</summary>
    public static Task EmbeddingsAsync(HttpContext context, RecordedRequest request, float[] vector, string model = "text-embedding-upstream-v2")
    {
        var base64 = (string?)request.Json["encoding_format"] == "base64";
        JsonNode embedding = base64
            ? JsonValue.Create(Convert.ToBase64String(vector.SelectMany(v => BitConverter.GetBytes(v)).ToArray()))
            : new JsonArray(vector.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
        var answer = new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(new JsonObject { ["object"] = "embedding", ["index"] = 0, ["embedding"] = embedding }),
            ["model"] = model,
            ["usage"] = new JsonObject { ["prompt_tokens"] = 2, ["total_tokens"] = 2 },
        };
        return FakeUpstream.WriteJsonAsync(context, answer.ToJsonString());
    }

    /// <summary>An upstream error in OpenAI's envelope whose message leaks what must never reach a client.</summary>
    public static string LeakyError(FakeUpstream upstream, string type = "server_error") => $$$"""
        {"error":{"message":"Backend {{{upstream.BaseUrl}}}/v1/chat/completions failed for key sk-upstream-secret-key-123456","type":"{{{type}}}","param":null,"code":null}}
        """;
}
