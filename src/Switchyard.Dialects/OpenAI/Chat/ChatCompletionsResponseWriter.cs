using System.Text.Json;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Dialects.OpenAI.Chat;

/// <summary>Writes <c>chat.completion</c> objects and the usage object they share with stream chunks.</summary>
internal static class ChatCompletionsResponseWriter
{
    public static void Write(Utf8JsonWriter writer, ChatResponse response)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, response.Id);
        writer.WriteString("object"u8, "chat.completion"u8);
        writer.WriteNumber("created"u8, response.Created.ToUnixTimeSeconds());
        writer.WriteString("model"u8, response.Model);
        writer.WriteStartArray("choices"u8);
        writer.WriteStartObject();
        writer.WriteNumber("index"u8, 0);
        writer.WriteStartObject("message"u8);
        writer.WriteString("role"u8, "assistant"u8);

        var text = string.Concat(response.Parts.OfType<TextPart>().Select(p => p.Text));
        var hasToolCalls = response.Parts.Any(p => p is ToolCallPart);
        if (text.Length == 0 && hasToolCalls)
        {
            writer.WriteNull("content"u8);
        }
        else
        {
            writer.WriteString("content"u8, text);
        }

        var reasoning = string.Concat(response.Parts.OfType<ReasoningPart>().Select(p => p.Text));
        if (reasoning.Length > 0)
        {
            writer.WriteString("reasoning_content"u8, reasoning);
        }

        WriteThinkingBlocks(writer, response.Parts.OfType<ReasoningPart>());
        var refusal = string.Concat(response.Parts.OfType<RefusalPart>().Select(p => p.Text));
        if (refusal.Length > 0)
        {
            writer.WriteString("refusal"u8, refusal);
        }
        else
        {
            writer.WriteNull("refusal"u8);
        }

        if (hasToolCalls)
        {
            writer.WriteStartArray("tool_calls"u8);
            foreach (var call in response.Parts.OfType<ToolCallPart>())
            {
                writer.WriteStartObject();
                writer.WriteString("id"u8, call.Id);
                if (call.FreeFormInput is { } input)
                {
                    writer.WriteString("type"u8, "custom"u8);
                    writer.WriteStartObject("custom"u8);
                    writer.WriteString("name"u8, call.Name);
                    writer.WriteString("input"u8, input);
                }
                else
                {
                    writer.WriteString("type"u8, "function"u8);
                    writer.WriteStartObject("function"u8);
                    writer.WriteString("name"u8, call.Name);
                    writer.WriteString("arguments"u8, call.ArgumentsJson);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        // Citations' offsets are within their part; the message content is all parts joined.
        var offset = 0;
        var annotations = new List<(int Offset, Citation Citation)>();
        foreach (var part in response.Parts.OfType<TextPart>())
        {
            annotations.AddRange((part.Citations ?? []).Select(c => (offset, c)));
            offset += part.Text.Length;
        }

        if (annotations.Count > 0)
        {
            writer.WriteStartArray("annotations"u8);
            foreach (var (at, citation) in annotations)
            {
                WriteAnnotation(writer, citation, at, offset);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteNull("logprobs"u8);
        writer.WriteString("finish_reason"u8, ChatCompletionsMapping.FinishReasonFromCanonical(response.FinishReason));
        writer.WriteEndObject();
        writer.WriteEndArray();
        WriteUsage(writer, response.Usage);
        if (response.Metadata is { } metadata)
        {
            writer.WritePropertyName("metadata"u8);
            metadata.WriteTo(writer);
        }

        writer.WriteEndObject();
    }

    /// <summary>A <c>url_citation</c> annotation, shifted by <paramref name="offset"/>; a citation of a whole part ends at <paramref name="end"/>.</summary>
    public static void WriteAnnotation(Utf8JsonWriter writer, Citation citation, int offset, int end)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "url_citation"u8);
        writer.WriteStartObject("url_citation"u8);
        writer.WriteNumber("start_index"u8, offset + (citation.StartIndex ?? 0));
        writer.WriteNumber("end_index"u8, citation.EndIndex is int last ? offset + last : end);
        writer.WriteString("url"u8, citation.Url);
        writer.WriteString("title"u8, citation.Title ?? citation.Url);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Writes <c>thinking_blocks</c> when any reasoning is signed or redacted (see <see cref="ThinkingBlockWire"/>).</summary>
    public static void WriteThinkingBlocks(Utf8JsonWriter writer, IEnumerable<ReasoningPart> reasoning)
    {
        var signed = reasoning.Where(r => r.Signature is not null || r.RedactedData is not null).ToList();
        if (signed.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("thinking_blocks"u8);
        foreach (var part in signed)
        {
            writer.WriteStartObject();
            if (part.RedactedData is { } data)
            {
                writer.WriteString("type"u8, "redacted_thinking"u8);
                writer.WriteString("data"u8, data);
            }
            else
            {
                writer.WriteString("type"u8, "thinking"u8);
                writer.WriteString("thinking"u8, part.Text);
                writer.WriteString("signature"u8, part.Signature);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// Ends a stream chunk's only choice after its content (Chat Completions' <c>delta</c>, the
    /// legacy completion's <c>text</c>): no <c>logprobs</c>, the finish reason or null, then the
    /// choices array, and the usage when the chunk carries it.
    /// </summary>
    public static void EndChunkChoice(Utf8JsonWriter writer, string? finishReason, Usage? usage)
    {
        writer.WriteNull("logprobs"u8);
        if (finishReason is null)
        {
            writer.WriteNull("finish_reason"u8);
        }
        else
        {
            writer.WriteString("finish_reason"u8, finishReason);
        }

        writer.WriteEndObject();
        writer.WriteEndArray();
        if (usage is not null)
        {
            WriteUsage(writer, usage);
        }
    }

    /// <summary>Writes <c>"usage":{…}</c> in OpenAI's inclusive convention (prompt includes cached, completion includes reasoning).</summary>
    public static void WriteUsage(Utf8JsonWriter writer, Usage usage)
    {
        writer.WriteStartObject("usage"u8);
        writer.WriteNumber("prompt_tokens"u8, usage.TotalInputTokens);
        writer.WriteNumber("completion_tokens"u8, usage.TotalOutputTokens);
        writer.WriteNumber("total_tokens"u8, usage.TotalTokens);
        writer.WriteStartObject("prompt_tokens_details"u8);
        writer.WriteNumber("cached_tokens"u8, usage.CacheReadTokens);
        writer.WriteEndObject();
        writer.WriteStartObject("completion_tokens_details"u8);
        writer.WriteNumber("reasoning_tokens"u8, usage.ReasoningTokens);
        writer.WriteEndObject();
        if (usage.Cost is decimal cost)
        {
            writer.WriteNumber("cost"u8, cost);
        }

        writer.WriteEndObject();
    }
}
