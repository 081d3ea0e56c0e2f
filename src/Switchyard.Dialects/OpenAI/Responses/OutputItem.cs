using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Dialects.OpenAI.Responses;

/// <summary>
/// An output item being built (stream) or written (whole answer): a message, a function or custom
/// tool call, a web search call or reasoning.
/// </summary>
internal sealed class OutputItem
{
    private OutputItem(string type, string id)
    {
        Type = type;
        Id = id;
    }

    public string Type { get; }

    public string Id { get; }

    /// <summary>message: its content parts, each output_text or refusal.</summary>
    public List<OutputContent> Contents { get; } = [];

    public string? CallId { get; init; }

    public string? Name { get; init; }

    public string? Namespace { get; init; }

    /// <summary>function_call: the JSON arguments; custom_tool_call: <c>{"input": text}</c> until done.</summary>
    public StringBuilder Arguments { get; } = new();

    /// <summary>web_search_call: the query it ran.</summary>
    public string? Query { get; set; }

    /// <summary>reasoning: the summary text.</summary>
    public StringBuilder Summary { get; } = new();

    public string? EncryptedContent { get; set; }

    public bool Done { get; set; }

    /// <summary>custom_tool_call: the free-form input, taken from <see cref="Arguments"/>.</summary>
    public string Input => ToolCallPart.FreeFormInputOf(Arguments.ToString());

    public static OutputItem Message() => new("message", NewId("msg_"));

    public static OutputItem FunctionCall(string callId, string name, string? ns = null) =>
        new("function_call", NewId("fc_")) { CallId = callId, Name = name, Namespace = ns };

    public static OutputItem CustomToolCall(string callId, string name, string? ns = null) =>
        new("custom_tool_call", NewId("ctc_")) { CallId = callId, Name = name, Namespace = ns };

    public static OutputItem WebSearchCall(string? id, string? query) =>
        new("web_search_call", id is { Length: > 0 } && id.StartsWith("ws_", StringComparison.Ordinal) ? id : NewId("ws_")) { Query = query };

    public static OutputItem Reasoning(string? id) => new("reasoning", id ?? NewId("rs_"));

    public static string NewId(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, Id);
        writer.WriteString("type"u8, Type);
        switch (Type)
        {
            case "message":
                writer.WriteString("status"u8, Done ? "completed"u8 : "in_progress"u8);
                writer.WriteString("role"u8, "assistant"u8);
                writer.WriteStartArray("content"u8);
                foreach (var content in Contents)
                {
                    content.Write(writer);
                }

                writer.WriteEndArray();
                break;
            case "function_call":
                writer.WriteString("status"u8, Done ? "completed"u8 : "in_progress"u8);
                writer.WriteString("call_id"u8, CallId);
                WriteName(writer);
                writer.WriteString("arguments"u8, Arguments.ToString());
                break;
            case "custom_tool_call":
                writer.WriteString("status"u8, Done ? "completed"u8 : "in_progress"u8);
                writer.WriteString("call_id"u8, CallId);
                WriteName(writer);
                writer.WriteString("input"u8, Done ? Input : string.Empty);
                break;
            case "web_search_call":
                writer.WriteString("status"u8, Done ? "completed"u8 : "in_progress"u8);
                writer.WriteStartObject("action"u8);
                writer.WriteString("type"u8, "search"u8);
                if (Query is { } query)
                {
                    writer.WriteString("query"u8, query);
                }

                writer.WriteEndObject();
                break;
            default:
                writer.WriteStartArray("summary"u8);
                if (Summary.Length > 0)
                {
                    WriteSummary(writer, Summary.ToString());
                }

                writer.WriteEndArray();
                if (EncryptedContent is { } encrypted)
                {
                    writer.WriteString("encrypted_content"u8, encrypted);
                }

                break;
        }

        writer.WriteEndObject();
    }

    private void WriteName(Utf8JsonWriter writer)
    {
        writer.WriteString("name"u8, Name);
        if (Namespace is { } ns)
        {
            writer.WriteString("namespace"u8, ns);
        }
    }

    public static void WriteSummary(Utf8JsonWriter writer, string text)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "summary_text"u8);
        writer.WriteString("text"u8, text);
        writer.WriteEndObject();
    }
}

/// <summary>One content part of a message item: output_text with its annotations, or refusal.</summary>
internal sealed class OutputContent(string type)
{
    public string Type { get; } = type;

    public StringBuilder Text { get; } = new();

    /// <summary>url_citation annotations, with offsets into <see cref="Text"/>.</summary>
    public List<Citation> Annotations { get; } = [];

    public void Write(Utf8JsonWriter writer, bool withText = true)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, Type);
        if (Type == "refusal")
        {
            writer.WriteString("refusal"u8, withText ? Text.ToString() : string.Empty);
        }
        else
        {
            writer.WriteString("text"u8, withText ? Text.ToString() : string.Empty);
            writer.WriteStartArray("annotations"u8);
            if (withText)
            {
                foreach (var annotation in Annotations)
                {
                    WriteAnnotation(writer, annotation, Text.Length);
                }
            }

            writer.WriteEndArray();
            writer.WriteStartArray("logprobs"u8);
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    /// <summary>A <c>url_citation</c>; a citation of a whole part spans the text written so far.</summary>
    public static void WriteAnnotation(Utf8JsonWriter writer, Citation citation, int textLength)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "url_citation"u8);
        writer.WriteNumber("start_index"u8, citation.StartIndex ?? 0);
        writer.WriteNumber("end_index"u8, citation.EndIndex ?? textLength);
        writer.WriteString("url"u8, citation.Url);
        writer.WriteString("title"u8, citation.Title ?? citation.Url);
        writer.WriteEndObject();
    }
}
