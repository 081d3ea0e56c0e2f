using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Gemini;

/// <summary>
/// Writes a neutral request as a Gemini generateContent body: instructions folded into
/// <c>systemInstruction</c>, tool results as <c>functionResponse</c> parts named after their call,
/// thought signatures returned on the part that follows them, schemas cleaned to Gemini's subset,
/// and the reasoning effort as <c>thinkingBudget</c> (Gemini 2.x) or <c>thinkingLevel</c> (Gemini 3).
/// </summary>
internal static class GenerateContentRequestWriter
{
    public static void Write(Utf8JsonWriter writer, ChatRequest request, string upstreamModel)
    {
        var adjustments = request.Adjustments;
        writer.WriteStartObject();
        WriteContents(writer, request.Messages);
        WriteSystem(writer, request.Messages);
        WriteTools(writer, request);

        writer.WriteStartObject("generationConfig"u8);
        if (request.MaxOutputTokens is int maxTokens)
        {
            writer.WriteNumber("maxOutputTokens"u8, maxTokens);
        }

        if (request.Temperature is double temperature)
        {
            writer.WriteNumber("temperature"u8, temperature);
        }

        if (request.TopP is double topP)
        {
            writer.WriteNumber("topP"u8, topP);
        }

        if (request.TopK is int topK)
        {
            writer.WriteNumber("topK"u8, topK);
        }

        if (request.PresencePenalty is double presence)
        {
            writer.WriteNumber("presencePenalty"u8, presence);
        }

        if (request.FrequencyPenalty is double frequency)
        {
            writer.WriteNumber("frequencyPenalty"u8, frequency);
        }

        if (request.Seed is long seed)
        {
            writer.WriteNumber("seed"u8, seed);
        }

        if (request.StopSequences is { Count: > 0 } stops)
        {
            writer.WriteStartArray("stopSequences"u8);
            foreach (var stop in stops.Take(5))
            {
                writer.WriteStringValue(stop);
            }

            writer.WriteEndArray();
            if (stops.Count > 5)
            {
                adjustments.Dropped("stop", "Gemini accepts at most 5 stop sequences");
            }
        }

        switch (request.ResponseFormat)
        {
            case { Kind: ResponseFormatKind.JsonSchema, Schema: { } schema }:
                writer.WriteString("responseMimeType"u8, "application/json"u8);
                writer.WritePropertyName("responseSchema"u8);
                GeminiSchema.Clean(schema).WriteTo(writer);
                break;
            case { Kind: ResponseFormatKind.JsonObject }:
                writer.WriteString("responseMimeType"u8, "application/json"u8);
                break;
        }

        WriteThinking(writer, request.Reasoning, request.MaxOutputTokens, upstreamModel);
        ExtensionFields.Write(writer, request.Extensions, GenerateContentMapping.ExtensionPrefix, "generationConfig.");
        writer.WriteEndObject();

        if (request.User is not null)
        {
            adjustments.Dropped("user", "Gemini takes no end-user id");
        }

        if (request.ParallelToolCalls == false)
        {
            adjustments.Dropped("parallel_tool_calls", "Gemini cannot be limited to one call per turn");
        }

        // Safety settings, cachedContent and fields the gateway does not know, as a Gemini client sent them.
        ExtensionFields.Write(writer, request.Extensions, GenerateContentMapping.ExtensionPrefix);
        writer.WriteEndObject();
    }

    private static void WriteThinking(Utf8JsonWriter writer, ReasoningOptions? reasoning, int? maxOutputTokens, string upstreamModel)
    {
        if (reasoning is null)
        {
            return;
        }

        writer.WriteStartObject("thinkingConfig"u8);
        if (upstreamModel.StartsWith("gemini-3", StringComparison.OrdinalIgnoreCase) && !reasoning.Disabled)
        {
            // Gemini 3 takes a level, not a budget: low, or high for anything above.
            var level = (reasoning.Effort ?? ReasoningBudget.ToEffort(reasoning.BudgetTokens ?? ReasoningBudget.Medium)) is "minimal" or "low" ? "low" : "high";
            writer.WriteString("thinkingLevel"u8, level);
            writer.WriteBoolean("includeThoughts"u8, true);
        }
        else if (reasoning.Disabled)
        {
            writer.WriteNumber("thinkingBudget"u8, 0);
        }
        else
        {
            // Thoughts count against maxOutputTokens, so the budget stays below it (docs/behaviour.md).
            var budget = reasoning.BudgetTokens ?? ReasoningBudget.ToBudget(reasoning.Effort) ?? ReasoningBudget.Medium;
            writer.WriteNumber("thinkingBudget"u8, ReasoningBudget.FitBelow(budget, maxOutputTokens));
            writer.WriteBoolean("includeThoughts"u8, true);
        }

        writer.WriteEndObject();
    }

    private static void WriteSystem(Utf8JsonWriter writer, List<ChatMessage> messages)
    {
        var texts = messages.Where(m => m.Role.IsInstruction).SelectMany(m => m.Parts.OfType<TextPart>()).Where(t => t.Text.Length > 0).ToList();
        if (texts.Count == 0)
        {
            return;
        }

        writer.WriteStartObject("systemInstruction"u8);
        writer.WriteStartArray("parts"u8);
        foreach (var text in texts)
        {
            writer.WriteStartObject();
            writer.WriteString("text"u8, text.Text);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteContents(Utf8JsonWriter writer, List<ChatMessage> messages)
    {
        // Tool results name their function in Gemini; OpenAI's tool messages only carry the call id.
        var callNames = messages.SelectMany(m => m.Parts.OfType<ToolCallPart>()).GroupBy(c => c.Id).ToDictionary(g => g.Key, g => g.First().Name);
        var turns = new List<(string Role, List<ContentPart> Parts)>();
        foreach (var message in messages.Where(m => !m.Role.IsInstruction))
        {
            var role = message.Role == Role.Assistant ? "model" : "user";
            var parts = message.Parts.Where(p => p is not TextPart { Text.Length: 0 }).ToList();
            if (parts.Count == 0)
            {
                continue;
            }

            if (turns.Count > 0 && turns[^1].Role == role)
            {
                turns[^1].Parts.AddRange(parts);
            }
            else
            {
                turns.Add((role, parts));
            }
        }

        writer.WriteStartArray("contents"u8);
        foreach (var (role, parts) in turns)
        {
            writer.WriteStartObject();
            writer.WriteString("role"u8, role);
            writer.WriteStartArray("parts"u8);
            string? pendingSignature = null;
            foreach (var part in parts)
            {
                switch (part)
                {
                    case ReasoningPart reasoning:
                        // Gemini wants its thought signature back on the part that followed the thought, not the thought text.
                        if (ReasoningSignature.TryUnwrap(reasoning.Signature, out var source, out var original) && source == GenerateContentMapping.GeminiSource)
                        {
                            pendingSignature = original;
                        }

                        break;
                    case TextPart text:
                        writer.WriteStartObject();
                        writer.WriteString("text"u8, text.Text);
                        WriteSignature(writer, ref pendingSignature);
                        writer.WriteEndObject();
                        break;
                    case RefusalPart refusal:
                        writer.WriteStartObject();
                        writer.WriteString("text"u8, refusal.Text);
                        writer.WriteEndObject();
                        break;
                    case ImagePart image:
                        WriteMedia(writer, image.Base64Data, image.MediaType ?? "image/png", image.Url);
                        break;
                    case DocumentPart { Text: { } documentText }:
                        writer.WriteStartObject();
                        writer.WriteString("text"u8, documentText);
                        writer.WriteEndObject();
                        break;
                    case DocumentPart document:
                        WriteMedia(writer, document.Base64Data, document.MediaType ?? "application/pdf", document.Url);
                        break;
                    case ToolCallPart call:
                        writer.WriteStartObject();
                        writer.WriteStartObject("functionCall"u8);
                        writer.WriteString("name"u8, call.Name);
                        writer.WritePropertyName("args"u8);
                        ToolArguments.WriteObject(writer, call.ArgumentsJson);
                        writer.WriteEndObject();
                        WriteSignature(writer, ref pendingSignature);
                        writer.WriteEndObject();
                        break;
                    case ToolResultPart result:
                        writer.WriteStartObject();
                        writer.WriteStartObject("functionResponse"u8);
                        writer.WriteString("name"u8, result.Name ?? callNames.GetValueOrDefault(result.ToolCallId) ?? result.ToolCallId);
                        writer.WritePropertyName("response"u8);
                        WriteFunctionResponse(writer, result);
                        writer.WriteEndObject();
                        writer.WriteEndObject();

                        // Images a tool returned follow its response in the same turn.
                        foreach (var attachment in result.Content)
                        {
                            switch (attachment)
                            {
                                case ImagePart image:
                                    WriteMedia(writer, image.Base64Data, image.MediaType ?? "image/png", image.Url);
                                    break;
                                case DocumentPart { Text: null } document:
                                    WriteMedia(writer, document.Base64Data, document.MediaType ?? "application/pdf", document.Url);
                                    break;
                            }
                        }

                        break;
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteSignature(Utf8JsonWriter writer, ref string? pending)
    {
        if (pending is { } signature)
        {
            writer.WriteString("thoughtSignature"u8, signature);
        }

        pending = null;
    }

    private static void WriteMedia(Utf8JsonWriter writer, string? base64, string mediaType, string? url)
    {
        writer.WriteStartObject();
        if (base64 is not null)
        {
            writer.WriteStartObject("inlineData"u8);
            writer.WriteString("mimeType"u8, mediaType);
            writer.WriteString("data"u8, base64);
        }
        else
        {
            writer.WriteStartObject("fileData"u8);
            writer.WriteString("mimeType"u8, mediaType);
            writer.WriteString("fileUri"u8, url);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>A functionResponse's response must be an object: JSON objects go as they are, anything else under "result".</summary>
    private static void WriteFunctionResponse(Utf8JsonWriter writer, ToolResultPart result)
    {
        var text = string.Concat(result.Content.OfType<TextPart>().Select(t => t.Text));
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                document.RootElement.WriteTo(writer);
                return;
            }
        }
        catch (JsonException)
        {
            // Plain text: wrapped below.
        }

        writer.WriteStartObject();
        writer.WriteString(result.IsError ? "error"u8 : "result"u8, text);
        writer.WriteEndObject();
    }

    private static void WriteTools(Utf8JsonWriter writer, ChatRequest request)
    {
        // Gemini limits calls itself when they are required (allowedFunctionNames); otherwise it is sent only the callable tools.
        var tools = request.ToolChoice is { Mode: ToolChoiceMode.Required, Allowed: not null } ? request.Tools ?? [] : request.CallableTools;
        var functions = tools.ToList();
        var hosted = request.HostedTools ?? [];
        if (functions.Count == 0 && hosted.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("tools"u8);
        if (functions.Count > 0)
        {
            writer.WriteStartObject();
            writer.WriteStartArray("functionDeclarations"u8);
            foreach (var tool in functions)
            {
                writer.WriteStartObject();
                writer.WriteString("name"u8, tool.Name);
                if (tool.Description is { } description)
                {
                    writer.WriteString("description"u8, description);
                }

                if (tool.Parameters is { ValueKind: JsonValueKind.Object } parameters && HasProperties(parameters))
                {
                    writer.WritePropertyName("parameters"u8);
                    GeminiSchema.Clean(parameters).WriteTo(writer);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        foreach (var tool in hosted)
        {
            if (tool.Extensions?.TryGetValue(GenerateContentMapping.ExtensionPrefix + "tool", out var own) == true)
            {
                own.WriteTo(writer);
            }
            else if (tool.Kind == HostedToolKind.WebSearch)
            {
                // Google Search takes no settings a client of another dialect could give.
                writer.WriteStartObject();
                writer.WriteStartObject("google_search"u8);
                writer.WriteEndObject();
                writer.WriteEndObject();
                if (tool.Search is { } search)
                {
                    DropSearchOptions(tool.Param, search, request.Adjustments);
                }
            }
        }

        writer.WriteEndArray();

        if (request.ToolChoice is { } choice && functions.Count > 0)
        {
            writer.WriteStartObject("toolConfig"u8);
            writer.WriteStartObject("functionCallingConfig"u8);
            switch (choice.Mode)
            {
                case ToolChoiceMode.None:
                    writer.WriteString("mode"u8, "NONE"u8);
                    break;
                case ToolChoiceMode.Required:
                    writer.WriteString("mode"u8, "ANY"u8);
                    if (choice.Allowed is { } allowed)
                    {
                        writer.WriteStartArray("allowedFunctionNames"u8);
                        foreach (var name in allowed)
                        {
                            writer.WriteStringValue(name);
                        }

                        writer.WriteEndArray();
                    }

                    break;
                case ToolChoiceMode.Function:
                    writer.WriteString("mode"u8, "ANY"u8);
                    writer.WriteStartArray("allowedFunctionNames"u8);
                    writer.WriteStringValue(choice.FunctionName);
                    writer.WriteEndArray();
                    break;
                default:
                    writer.WriteString("mode"u8, "AUTO"u8);
                    break;
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }

    private static void DropSearchOptions(string param, WebSearchOptions search, ParamAdjustments adjustments)
    {
        if (search.AllowedDomains is { Count: > 0 })
        {
            adjustments.Dropped(param + ".allowed_domains", "Google Search grounding has no domain filter");
        }

        if (search.BlockedDomains is { Count: > 0 })
        {
            adjustments.Dropped(param + ".blocked_domains", "Google Search grounding has no domain filter");
        }

        if (search.MaxUses is not null)
        {
            adjustments.Dropped(param + ".max_uses", "Google Search grounding has no search limit");
        }

        if (search.UserLocation is not null)
        {
            adjustments.Dropped(param + ".user_location", "Google Search grounding takes no location");
        }

        if (search.ContextSize is not null)
        {
            adjustments.Dropped(param + ".search_context_size", "Google Search grounding has no context size");
        }
    }

    /// <summary>Gemini rejects an object schema with no properties; such a function simply takes no parameters.</summary>
    private static bool HasProperties(JsonElement schema) =>
        !schema.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "object"
        || (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object && properties.EnumerateObject().Any());
}
