using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;

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
                    if (text.Citations is { Count: > 0 } citations)
                    {
                        writer.WriteStartArray("citations"u8);
                        foreach (var citation in citations)
                        {
                            WriteCitation(writer, citation, text.Text);
                        }

                        writer.WriteEndArray();
                    }

                    writer.WriteEndObject();
                    break;
                case ServerToolCallPart call:
                    WriteServerToolUse(writer, call, withInput: true);
                    break;
                case ServerToolResultPart result:
                    WriteServerToolResult(writer, result);
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
                    ToolArguments.WriteObject(writer, call.ArgumentsJson);
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
        if (usage.WebSearchCalls > 0)
        {
            writer.WriteStartObject("server_tool_use"u8);
            writer.WriteNumber("web_search_requests"u8, usage.WebSearchCalls);
            writer.WriteEndObject();
        }

        if (usage.Cost is decimal cost)
        {
            writer.WriteNumber("cost"u8, cost);
        }

        writer.WriteEndObject();
    }

    /// <summary>A <c>web_search_result_location</c>; the cited text is the provider's quote, else the span it supports.</summary>
    public static void WriteCitation(Utf8JsonWriter writer, Citation citation, string text)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "web_search_result_location"u8);
        writer.WriteString("url"u8, citation.Url);
        writer.WriteString("title"u8, citation.Title ?? citation.Url);
        writer.WriteString("encrypted_index"u8, Extension(citation.Extensions, "encrypted_index") ?? string.Empty);
        writer.WriteString("cited_text"u8, citation.CitedText ?? Span(text, citation));
        writer.WriteEndObject();
    }

    private static string Span(string text, Citation citation)
    {
        var start = Math.Clamp(citation.StartIndex ?? 0, 0, text.Length);
        var end = Math.Clamp(citation.EndIndex ?? text.Length, start, text.Length);
        return text[start..end];
    }

    /// <summary>A <c>server_tool_use</c> block: <c>srvtoolu_</c> ids, as Anthropic's SDKs expect.</summary>
    public static void WriteServerToolUse(Utf8JsonWriter writer, ServerToolCallPart call, bool withInput)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "server_tool_use"u8);
        writer.WriteString("id"u8, ServerToolUseId(call.Id));
        writer.WriteString("name"u8, call.Kind == HostedToolKind.WebSearch ? "web_search" : call.Name);
        writer.WritePropertyName("input"u8);
        if (withInput)
        {
            ToolArguments.WriteObject(writer, call.InputJson);
        }
        else
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    public static string ServerToolUseId(string id) => id.StartsWith("srvtoolu_", StringComparison.Ordinal) ? id : "srvtoolu_" + ToolIds.Sanitize(id);

    /// <summary>A <c>web_search_tool_result</c> block with its results (or its error).</summary>
    public static void WriteServerToolResult(Utf8JsonWriter writer, ServerToolResultPart result)
    {
        if (result.Kind != HostedToolKind.WebSearch)
        {
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("type"u8, "web_search_tool_result"u8);
        writer.WriteString("tool_use_id"u8, ServerToolUseId(result.ToolCallId));
        if (result.ErrorCode is { } error)
        {
            writer.WriteStartObject("content"u8);
            writer.WriteString("type"u8, "web_search_tool_result_error"u8);
            writer.WriteString("error_code"u8, error);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteStartArray("content"u8);
            foreach (var source in result.Sources)
            {
                writer.WriteStartObject();
                writer.WriteString("type"u8, "web_search_result"u8);
                writer.WriteString("url"u8, source.Url);
                writer.WriteString("title"u8, source.Title ?? source.Url);
                writer.WriteString("encrypted_content"u8, Extension(source.Extensions, "encrypted_content") ?? string.Empty);
                if (source.PageAge is { } age)
                {
                    writer.WriteString("page_age"u8, age);
                }
                else
                {
                    writer.WriteNull("page_age"u8);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static string? Extension(Dictionary<string, System.Text.Json.JsonElement>? extensions, string field) =>
        extensions?.TryGetValue(MessagesMapping.ExtensionPrefix + field, out var value) == true && value.ValueKind == System.Text.Json.JsonValueKind.String
            ? value.GetString()
            : null;

    public static string MessageId(string id) => id.StartsWith("msg_", StringComparison.Ordinal) ? id : "msg_" + ToolIds.Sanitize(id);
}
