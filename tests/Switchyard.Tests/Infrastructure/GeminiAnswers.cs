using System.Text.Json;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// What a Gemini upstream answers, in its real wire format (https://ai.google.dev/api/generate-content#generatecontentresponse),
/// for scripting a <see cref="FakeUpstream"/>.
/// </summary>
public static class GeminiAnswers
{
    public const string UpstreamModel = "gemini-upstream-001";

    /// <summary>A thought signature as Gemini issues them: opaque base64 that must come back on its part.</summary>
    public const string ThoughtSignature = "CiQB0e2Kb2N3aGF0LWEtZ2VtaW5pLXNpZ25hdHVyZS1sb29rcy1saWtl";

    /// <summary>A whole <c>GenerateContentResponse</c> with the given parts (a JSON array).</summary>
    public static string Response(string partsJson, string finishReason = "STOP", int promptTokens = 8, int candidateTokens = 4, int thoughtTokens = 0) => $$$"""
        {"candidates":[{"content":{"parts":{{{partsJson}}},"role":"model"},"finishReason":"{{{finishReason}}}","index":0}],"usageMetadata":{{{Usage(promptTokens, candidateTokens, thoughtTokens)}}},"modelVersion":"{{{UpstreamModel}}}","responseId":"resp-up-1"}
        """;

    public static string Text(string text, int promptTokens = 8, int candidateTokens = 4) =>
        Response($$$"""[{"text":{{{JsonSerializer.Serialize(text)}}}}]""", promptTokens: promptTokens, candidateTokens: candidateTokens);

    /// <summary>One <c>data:</c> chunk of <c>streamGenerateContent?alt=sse</c>; the last one carries the finish reason.</summary>
    public static string Chunk(string partsJson, string? finishReason = null, int promptTokens = 8, int candidateTokens = 4) => "data: " + (finishReason is null
        ? $$$"""{"candidates":[{"content":{"parts":{{{partsJson}}},"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":{{{promptTokens}}},"totalTokenCount":{{{promptTokens}}}},"modelVersion":"{{{UpstreamModel}}}","responseId":"resp-up-1"}"""
        : $$$"""{"candidates":[{"content":{"parts":{{{partsJson}}},"role":"model"},"finishReason":"{{{finishReason}}}","index":0}],"usageMetadata":{{{Usage(promptTokens, candidateTokens, 0)}}},"modelVersion":"{{{UpstreamModel}}}","responseId":"resp-up-1"}""");

    public static List<string> TextStream(params string[] pieces)
    {
        var frames = pieces[..^1].Select(piece => Chunk($$$"""[{"text":{{{JsonSerializer.Serialize(piece)}}}}]""")).ToList();
        frames.Add(Chunk($$$"""[{"text":{{{JsonSerializer.Serialize(pieces[^1])}}}}]""", "STOP", candidateTokens: pieces.Length));
        return frames;
    }

    public static string Error(int code, string status, string message) =>
        $$$"""{"error":{"code":{{{code}}},"message":{{{JsonSerializer.Serialize(message)}}},"status":"{{{status}}}"}}""";

    private static string Usage(int promptTokens, int candidateTokens, int thoughtTokens) => thoughtTokens > 0
        ? $$$"""{"promptTokenCount":{{{promptTokens}}},"candidatesTokenCount":{{{candidateTokens}}},"thoughtsTokenCount":{{{thoughtTokens}}},"totalTokenCount":{{{promptTokens + candidateTokens + thoughtTokens}}}}"""
        : $$$"""{"promptTokenCount":{{{promptTokens}}},"candidatesTokenCount":{{{candidateTokens}}},"totalTokenCount":{{{promptTokens + candidateTokens}}}}""";
}
