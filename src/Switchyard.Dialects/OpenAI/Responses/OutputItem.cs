using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Switchyard.Dialects.OpenAI.Responses;

/// <summary>An output item being built (stream) or written (whole answer): a message, a function call or reasoning.</summary>
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
    public List<(string Type, StringBuilder Text)> Contents { get; } = [];

    public string? CallId { get; init; }

    public string? Name { get; init; }

    public StringBuilder Arguments { get; } = new();

    /// <summary>reasoning: the summary text.</summary>
    public StringBuilder Summary { get; } = new();

    public string? EncryptedContent { get; set; }

    public bool Done { get; set; }

    public static OutputItem Message() => new("message", NewId("msg_"));

    public static OutputItem FunctionCall(string callId, string name) => new("function_call", NewId("fc_")) { CallId = callId, Name = name };

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
                foreach (var (type, text) in Contents)
                {
                    WriteContent(writer, type, text.ToString());
                }

                writer.WriteEndArray();
                break;
            case "function_call":
                writer.WriteString("status"u8, Done ? "completed"u8 : "in_progress"u8);
                writer.WriteString("call_id"u8, CallId);
                writer.WriteString("name"u8, Name);
                writer.WriteString("arguments"u8, Arguments.ToString());
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

    public static void WriteContent(Utf8JsonWriter writer, string type, string text)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, type);
        if (type == "refusal")
        {
            writer.WriteString("refusal"u8, text);
        }
        else
        {
            writer.WriteString("text"u8, text);
            writer.WriteStartArray("annotations"u8);
            writer.WriteEndArray();
            writer.WriteStartArray("logprobs"u8);
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    public static void WriteSummary(Utf8JsonWriter writer, string text)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "summary_text"u8);
        writer.WriteString("text"u8, text);
        writer.WriteEndObject();
    }
}
