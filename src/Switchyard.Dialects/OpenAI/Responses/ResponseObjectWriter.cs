using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Dialects.OpenAI.Responses;

/// <summary>Writes the <c>response</c> object (https://platform.openai.com/docs/api-reference/responses/object).</summary>
internal static class ResponseObjectWriter
{
    public static void Write(
        Utf8JsonWriter writer,
        string id,
        string model,
        long createdAt,
        string status,
        IReadOnlyList<OutputItem> output,
        Usage? usage,
        JsonElement? metadata,
        string? incompleteReason = null,
        GatewayError? error = null,
        JsonElement? echo = null)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, id);
        writer.WriteString("object"u8, "response"u8);
        writer.WriteNumber("created_at"u8, createdAt);
        writer.WriteString("status"u8, status);
        if (error is not null)
        {
            writer.WriteStartObject("error"u8);
            writer.WriteString("code"u8, OpenAIErrors.TypeAndCode(error).Code ?? "server_error");
            writer.WriteString("message"u8, error.Message);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("error"u8);
        }

        if (incompleteReason is not null)
        {
            writer.WriteStartObject("incomplete_details"u8);
            writer.WriteString("reason"u8, incompleteReason);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("incomplete_details"u8);
        }

        WriteEchoed(writer, echo, "instructions"u8, static w => w.WriteNullValue());
        WriteEchoed(writer, echo, "max_output_tokens"u8, static w => w.WriteNullValue());
        writer.WriteString("model"u8, model);
        writer.WriteStartArray("output"u8);
        foreach (var item in output)
        {
            item.Write(writer);
        }

        writer.WriteEndArray();
        WriteEchoed(writer, echo, "parallel_tool_calls"u8, static w => w.WriteBooleanValue(true));
        WriteEchoed(writer, echo, "previous_response_id"u8, static w => w.WriteNullValue());
        WriteEchoed(writer, echo, "reasoning"u8, static w =>
        {
            w.WriteStartObject();
            w.WriteNull("effort"u8);
            w.WriteNull("summary"u8);
            w.WriteEndObject();
        });
        WriteEchoed(writer, echo, "store"u8, static w => w.WriteBooleanValue(true));
        WriteEchoed(writer, echo, "temperature"u8, static w => w.WriteNumberValue(1));
        WriteEchoed(writer, echo, "text"u8, static w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("format"u8);
            w.WriteString("type"u8, "text"u8);
            w.WriteEndObject();
            w.WriteEndObject();
        });
        WriteEchoed(writer, echo, "tool_choice"u8, static w => w.WriteStringValue("auto"u8));
        WriteEchoed(writer, echo, "tools"u8, static w =>
        {
            w.WriteStartArray();
            w.WriteEndArray();
        });
        WriteEchoed(writer, echo, "top_p"u8, static w => w.WriteNumberValue(1));
        WriteEchoed(writer, echo, "truncation"u8, static w => w.WriteStringValue("disabled"u8));
        if (usage is not null)
        {
            WriteUsage(writer, usage);
        }
        else
        {
            writer.WriteNull("usage"u8);
        }

        WriteEchoed(writer, echo, "user"u8, static w => w.WriteNullValue());
        writer.WritePropertyName("metadata"u8);
        if (metadata is { } value)
        {
            value.WriteTo(writer);
        }
        else
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }

        // Not in OpenAI's JSON (its SDKs compute it); a convenience for plain-HTTP clients.
        writer.WriteString("output_text"u8, string.Concat(output.Where(i => i.Type == "message")
            .SelectMany(i => i.Contents).Where(c => c.Type == "output_text").Select(c => c.Text.ToString())));
        writer.WriteEndObject();
    }

    // The request settings a response object repeats, as OpenAI's does (each takes its default when not sent).
    private static readonly byte[][] Echoed =
    [
        "instructions"u8.ToArray(), "max_output_tokens"u8.ToArray(), "parallel_tool_calls"u8.ToArray(), "previous_response_id"u8.ToArray(),
        "reasoning"u8.ToArray(), "store"u8.ToArray(), "temperature"u8.ToArray(), "text"u8.ToArray(), "tool_choice"u8.ToArray(),
        "tools"u8.ToArray(), "top_p"u8.ToArray(), "truncation"u8.ToArray(), "user"u8.ToArray(),
    ];

    /// <summary>The echoed settings of a Responses request body, copied as sent (only those properties, not the input).</summary>
    public static JsonElement? Echo(ReadOnlySpan<byte> body)
    {
        var topLevel = Json.JsonTopLevel.Scan(body);
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write("{"u8);
        foreach (var property in topLevel.Properties)
        {
            if (property.ValueKind == JsonTokenType.Null || !IsEchoed(body, property))
            {
                continue;
            }

            if (buffer.WrittenCount > 1)
            {
                buffer.Write(","u8);
            }

            buffer.Write(body[property.Whole]);
        }

        buffer.Write("}"u8);
        using var echo = JsonDocument.Parse(buffer.WrittenMemory);
        return echo.RootElement.Clone();
    }

    private static bool IsEchoed(ReadOnlySpan<byte> body, in Json.TopLevelProperty property)
    {
        foreach (var name in Echoed)
        {
            if (Json.JsonTopLevel.NameEquals(body, property, name))
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteEchoed(Utf8JsonWriter writer, JsonElement? echo, ReadOnlySpan<byte> name, Action<Utf8JsonWriter> fallback)
    {
        writer.WritePropertyName(name);
        if (echo is { } sent && sent.TryGetProperty(name, out var value))
        {
            value.WriteTo(writer);
        }
        else
        {
            fallback(writer);
        }
    }

    /// <summary>Responses usage: input includes cached tokens, output includes reasoning.</summary>
    public static void WriteUsage(Utf8JsonWriter writer, Usage usage)
    {
        writer.WriteStartObject("usage"u8);
        writer.WriteNumber("input_tokens"u8, usage.TotalInputTokens);
        writer.WriteStartObject("input_tokens_details"u8);
        writer.WriteNumber("cached_tokens"u8, usage.CacheReadTokens);
        writer.WriteEndObject();
        writer.WriteNumber("output_tokens"u8, usage.TotalOutputTokens);
        writer.WriteStartObject("output_tokens_details"u8);
        writer.WriteNumber("reasoning_tokens"u8, usage.ReasoningTokens);
        writer.WriteEndObject();
        writer.WriteNumber("total_tokens"u8, usage.TotalTokens);
        if (usage.Cost is decimal cost)
        {
            writer.WriteNumber("cost"u8, cost);
        }

        writer.WriteEndObject();
    }

    /// <summary>The output items of a whole answer: consecutive text becomes one message item.</summary>
    public static List<OutputItem> Items(ChatResponse response)
    {
        var items = new List<OutputItem>();
        OutputItem? message = null;
        foreach (var part in response.Parts)
        {
            switch (part)
            {
                case TextPart text:
                    message ??= Add(items, OutputItem.Message());
                    var content = new OutputContent("output_text");
                    content.Text.Append(text.Text);
                    content.Annotations.AddRange(text.Citations ?? []);
                    message.Contents.Add(content);
                    break;
                case RefusalPart refusal:
                    message ??= Add(items, OutputItem.Message());
                    var refused = new OutputContent("refusal");
                    refused.Text.Append(refusal.Text);
                    message.Contents.Add(refused);
                    break;
                case ToolCallPart call:
                    message = null;
                    var item = Add(items, call.FreeFormInput is null
                        ? OutputItem.FunctionCall(call.Id, call.Name, call.Namespace)
                        : OutputItem.CustomToolCall(call.Id, call.Name, call.Namespace));
                    item.Arguments.Append(call.ArgumentsJson);
                    break;
                case ServerToolCallPart search when search.Kind == HostedToolKind.WebSearch:
                    message = null;
                    Add(items, OutputItem.WebSearchCall(search.Id, search.Query));
                    break;
                case ReasoningPart reasoning:
                    message = null;
                    var thought = Add(items, OutputItem.Reasoning(reasoning.Extensions?.TryGetValue(ResponsesMapping.ItemIdKey, out var id) == true ? id.GetString() : null));
                    thought.Summary.Append(reasoning.Text);
                    thought.EncryptedContent = ResponsesMapping.CarriedContent(reasoning.EncryptedContent, reasoning.Signature);
                    break;
            }
        }

        foreach (var item in items)
        {
            item.Done = true;
        }

        return items;
    }

    private static OutputItem Add(List<OutputItem> items, OutputItem item)
    {
        items.Add(item);
        return item;
    }

    public static (string Status, string? IncompleteReason) Status(FinishReason finish)
    {
        if (finish == FinishReason.Length)
        {
            return ("incomplete", "max_output_tokens");
        }

        return finish == FinishReason.ContentFilter ? ("incomplete", "content_filter") : ("completed", null);
    }
}
