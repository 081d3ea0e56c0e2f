using System.Text.Json;

namespace Switchyard.Dialects.Json;

/// <summary>
/// A tool call's arguments, carried in the neutral model as the JSON text OpenAI sends, written for
/// the dialects that take them as an object (Anthropic <c>input</c>, Gemini <c>args</c>, Bedrock <c>input</c>).
/// </summary>
internal static class ToolArguments
{
    /// <summary>The arguments as a JSON object; empty text is <c>{}</c>, and text that is not an object is kept whole under <c>arguments</c>.</summary>
    public static void WriteObject(Utf8JsonWriter writer, string argumentsJson)
    {
        if (string.IsNullOrWhiteSpace(argumentsJson))
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(argumentsJson);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                document.RootElement.WriteTo(writer);
                return;
            }
        }
        catch (JsonException)
        {
            // Falls through to the wrapped form.
        }

        writer.WriteStartObject();
        writer.WriteString("arguments"u8, argumentsJson);
        writer.WriteEndObject();
    }
}
