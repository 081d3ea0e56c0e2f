using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Gemini;

/// <summary>Writes <c>GenerateContentResponse</c> objects (whole answers and stream chunks) and their usage.</summary>
internal static class GenerateContentResponseWriter
{
    /// <summary>Opens a response (or a stream chunk) up to its only candidate's parts: the caller writes them, then closes what this opened.</summary>
    public static void WriteStartToParts(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("candidates"u8);
        writer.WriteStartObject();
        writer.WriteStartObject("content"u8);
        writer.WriteString("role"u8, "model"u8);
        writer.WriteStartArray("parts"u8);
    }

    public static void Write(Utf8JsonWriter writer, ChatResponse response)
    {
        WriteStartToParts(writer);
        string? pendingSignature = null;
        var written = 0;
        var cited = new List<(int, string, Citation)>();
        foreach (var part in response.Parts)
        {
            if (part is TextPart { Citations: { Count: > 0 } citations } citedText)
            {
                cited.AddRange(citations.Select(c => (written, citedText.Text, c)));
            }

            if (part is TextPart or RefusalPart or ToolCallPart || part is ReasoningPart { Text.Length: > 0 })
            {
                written++;
            }

            switch (part)
            {
                case ReasoningPart reasoning:
                    pendingSignature = ThoughtSignature(reasoning.Signature) ?? pendingSignature;
                    if (reasoning.Text.Length > 0)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("text"u8, reasoning.Text);
                        writer.WriteBoolean("thought"u8, true);
                        writer.WriteEndObject();
                    }

                    break;
                case TextPart text:
                    WriteTextPart(writer, text.Text, ref pendingSignature);
                    break;
                case RefusalPart refusal:
                    WriteTextPart(writer, refusal.Text, ref pendingSignature);
                    break;
                case ToolCallPart call:
                    WriteFunctionCall(writer, call.Id, call.Name, call.ArgumentsJson, ref pendingSignature);
                    break;
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteString("finishReason"u8, GenerateContentMapping.FinishReasonFromCanonical(response.FinishReason));
        Grounding.Write(writer,
            response.Parts.OfType<ServerToolCallPart>().Where(c => c.Kind == HostedToolKind.WebSearch && c.Query is not null).Select(c => c.Query!).ToList(),
            response.Parts.OfType<ServerToolResultPart>().SelectMany(r => r.Sources).ToList(),
            cited);
        writer.WriteNumber("index"u8, 0);
        writer.WriteEndObject();
        writer.WriteEndArray();
        WriteUsage(writer, response.Usage);
        writer.WriteString("modelVersion"u8, response.Model);
        writer.WriteString("responseId"u8, response.Id);
        writer.WriteEndObject();
    }

    public static void WriteTextPart(Utf8JsonWriter writer, string text, ref string? pendingSignature, bool thought = false)
    {
        writer.WriteStartObject();
        writer.WriteString("text"u8, text);
        if (thought)
        {
            writer.WriteBoolean("thought"u8, true);
        }

        if (pendingSignature is { } signature)
        {
            writer.WriteString("thoughtSignature"u8, signature);
            pendingSignature = null;
        }

        writer.WriteEndObject();
    }

    public static void WriteFunctionCall(Utf8JsonWriter writer, string id, string name, string arguments, ref string? pendingSignature)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("functionCall"u8);
        writer.WriteString("id"u8, id);
        writer.WriteString("name"u8, name);
        writer.WritePropertyName("args"u8);
        ToolArguments.WriteObject(writer, arguments);
        writer.WriteEndObject();
        if (pendingSignature is { } signature)
        {
            writer.WriteString("thoughtSignature"u8, signature);
            pendingSignature = null;
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// The thoughtSignature a Gemini client should carry: Gemini's own unwrapped, any other
    /// provider's kept opaque (wrapped, so it comes back recognisable).
    /// </summary>
    public static string? ThoughtSignature(string? signature)
    {
        if (signature is null)
        {
            return null;
        }

        if (ReasoningSignature.TryUnwrap(signature, out var source, out var original))
        {
            return source == GenerateContentMapping.GeminiSource ? original : signature;
        }

        return ReasoningSignature.Wrap(ReasoningSignature.BareSource, signature);
    }

    /// <summary>Gemini usage: prompt includes cached tokens, candidates exclude thoughts.</summary>
    public static void WriteUsage(Utf8JsonWriter writer, Usage usage)
    {
        writer.WriteStartObject("usageMetadata"u8);
        writer.WriteNumber("promptTokenCount"u8, usage.TotalInputTokens);
        writer.WriteNumber("candidatesTokenCount"u8, usage.OutputTokens);
        writer.WriteNumber("totalTokenCount"u8, usage.TotalTokens);
        if (usage.ReasoningTokens > 0)
        {
            writer.WriteNumber("thoughtsTokenCount"u8, usage.ReasoningTokens);
        }

        if (usage.CacheReadTokens > 0)
        {
            writer.WriteNumber("cachedContentTokenCount"u8, usage.CacheReadTokens);
        }

        if (usage.Cost is decimal cost)
        {
            writer.WriteNumber("cost"u8, cost);
        }

        writer.WriteEndObject();
    }
}
