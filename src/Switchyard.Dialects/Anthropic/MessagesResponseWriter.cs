using System.Text.Json;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Dialects.Anthropic;

/// <summary>Writes Anthropic <c>message</c> objects and the usage object they share with stream events.</summary>
internal static class MessagesResponseWriter
{
    /// <summary>The dialect name recorded in Switchyard signatures for reasoning that came from a non-Anthropic upstream.</summary>
    public const string ForeignReasoningSource = "neutral";

    public static void Write(Utf8JsonWriter writer, ChatResponse response)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, MessageId(response.Id));
        writer.WriteString("type"u8, "message"u8);
        writer.WriteString("role"u8, "assistant"u8);
        writer.WriteString("model"u8, response.Model);
        writer.WriteStartArray("content"u8);
        foreach (var part in response.Parts)
        {
            switch (part)
            {
                case ReasoningPart { RedactedData: { } data }:
                    writer.WriteStartObject();
                    writer.WriteString("type"u8, "redacted_thinking"u8);
                    writer.WriteString("data"u8, data);
                    writer.WriteEndObject();
                    break;
                case ReasoningPart reasoning:
                    writer.WriteStartObject();
                    writer.WriteString("type"u8, "thinking"u8);
                    writer.WriteString("thinking"u8, reasoning.Text);
                    writer.WriteString("signature"u8, reasoning.Signature ?? ReasoningSignature.Wrap(ForeignReasoningSource, null));
                    writer.WriteEndObject();
                    break;
                case TextPart text:
                    writer.WriteStartObject();
                    writer.WriteString("type"u8, "text"u8);
                    writer.WriteString("text"u8, text.Text);
                    writer.WriteEndObject();
                    break;
                case RefusalPart refusal:
                    writer.WriteStartObject();
                    writer.WriteString("type"u8, "text"u8);
                    writer.WriteString("text"u8, refusal.Text);
                    writer.WriteEndObject();
                    break;
                case ToolCallPart call:
                    writer.WriteStartObject();
                    writer.WriteString("type"u8, "tool_use"u8);
                    writer.WriteString("id"u8, ToolIds.Sanitize(call.Id));
                    writer.WriteString("name"u8, call.Name);
                    writer.WritePropertyName("input"u8);
                    MessagesRequestWriter.WriteArguments(writer, call.ArgumentsJson);
                    writer.WriteEndObject();
                    break;
            }
        }

        writer.WriteEndArray();
        writer.WriteString("stop_reason"u8, MessagesMapping.FinishReasonFromCanonical(response.FinishReason));
        writer.WriteNull("stop_sequence"u8);
        WriteUsage(writer, response.Usage);
        writer.WriteEndObject();
    }

    /// <summary>Anthropic usage: input excludes cache reads and writes; output includes reasoning.</summary>
    public static void WriteUsage(Utf8JsonWriter writer, Usage usage)
    {
        writer.WriteStartObject("usage"u8);
        writer.WriteNumber("input_tokens"u8, usage.InputTokens);
        writer.WriteNumber("cache_creation_input_tokens"u8, usage.CacheWriteTokens);
        writer.WriteNumber("cache_read_input_tokens"u8, usage.CacheReadTokens);
        writer.WriteNumber("output_tokens"u8, usage.TotalOutputTokens);
        if (usage.Cost is decimal cost)
        {
            writer.WriteNumber("cost"u8, cost);
        }

        writer.WriteEndObject();
    }

    public static string MessageId(string id) => id.StartsWith("msg_", StringComparison.Ordinal) ? id : "msg_" + ToolIds.Sanitize(id);
}
