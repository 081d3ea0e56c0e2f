using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.OpenAI.Responses;

/// <summary>
/// Writes a neutral request as a Responses API request, for clients of other dialects on models
/// served by <c>/v1/responses</c>. The gateway keeps no upstream state for these: <c>store</c> is
/// false and reasoning comes back encrypted so it can be returned on the next turn.
/// </summary>
internal static class ResponsesRequestWriter
{
    public static void Write(Utf8JsonWriter writer, ChatRequest request, string upstreamModel)
    {
        writer.WriteStartObject();
        writer.WriteString("model"u8, upstreamModel);
        // Each text block of each instruction message is its own paragraph (Anthropic system blocks, chat content parts).
        var instructions = string.Join("\n\n", request.Messages.Where(m => m.Role.IsInstruction)
            .SelectMany(m => m.Parts.OfType<TextPart>()).Select(p => p.Text).Where(t => t.Length > 0));
        if (instructions.Length > 0)
        {
            writer.WriteString("instructions"u8, instructions);
        }

        writer.WriteStartArray("input"u8);
        var freeFormCalls = request.Messages.SelectMany(m => m.Parts).OfType<ToolCallPart>().Where(c => c.FreeFormInput is not null).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var message in request.Messages.Where(m => !m.Role.IsInstruction))
        {
            WriteItems(writer, message, freeFormCalls);
        }

        writer.WriteEndArray();

        WriteTools(writer, request);
        switch (request.ToolChoice?.Mode)
        {
            case ToolChoiceMode.Auto:
                writer.WriteString("tool_choice"u8, "auto"u8);
                break;
            case ToolChoiceMode.None:
                writer.WriteString("tool_choice"u8, "none"u8);
                break;
            case ToolChoiceMode.Required:
                writer.WriteString("tool_choice"u8, "required"u8);
                break;
            case ToolChoiceMode.Function:
                writer.WriteStartObject("tool_choice"u8);
                writer.WriteString("type"u8, "function"u8);
                writer.WriteString("name"u8, request.ToolChoice.FunctionName);
                writer.WriteEndObject();
                break;
        }

        if (request.ParallelToolCalls is bool parallel)
        {
            writer.WriteBoolean("parallel_tool_calls"u8, parallel);
        }

        if (request.ResponseFormat is not null || ExtensionFields.Any(request.Extensions, ResponsesMapping.ExtensionPrefix, "text."))
        {
            writer.WriteStartObject("text"u8);
            WriteFormat(writer, request.ResponseFormat);
            ExtensionFields.Write(writer, request.Extensions, ResponsesMapping.ExtensionPrefix, "text.");
            writer.WriteEndObject();
        }

        if (request.Reasoning is { Disabled: false } reasoning
            && (reasoning.Effort ?? (reasoning.BudgetTokens is int budget ? ReasoningBudget.ToEffort(budget) : null)) is { } effort)
        {
            writer.WriteStartObject("reasoning"u8);
            writer.WriteString("effort"u8, effort);
            writer.WriteString("summary"u8, reasoning.Summary ?? "auto");
            writer.WriteEndObject();
        }

        if (request.MaxOutputTokens is int max)
        {
            writer.WriteNumber("max_output_tokens"u8, max);
        }

        if (request.Temperature is double temperature)
        {
            writer.WriteNumber("temperature"u8, temperature);
        }

        if (request.TopP is double topP)
        {
            writer.WriteNumber("top_p"u8, topP);
        }

        if (request.User is { } user)
        {
            writer.WriteString("user"u8, user);
        }

        if (request.PromptCacheKey is { } cacheKey)
        {
            writer.WriteString("prompt_cache_key"u8, cacheKey);
        }

        if (request.StopSequences is { Count: > 0 })
        {
            request.Adjustments.Dropped("stop", "the Responses API has no stop sequences");
        }

        if (request.PresencePenalty is not null)
        {
            request.Adjustments.Dropped("presence_penalty", "the Responses API does not support it");
        }

        if (request.FrequencyPenalty is not null)
        {
            request.Adjustments.Dropped("frequency_penalty", "the Responses API does not support it");
        }

        if (request.Seed is not null)
        {
            request.Adjustments.Dropped("seed", "the Responses API does not support it");
        }

        if (request.TopK is not null)
        {
            request.Adjustments.Dropped("top_k", "the Responses API does not support it");
        }

        writer.WriteBoolean("store"u8, false);
        writer.WriteStartArray("include"u8);
        writer.WriteStringValue("reasoning.encrypted_content"u8);
        writer.WriteEndArray();
        if (request.Stream)
        {
            writer.WriteBoolean("stream"u8, true);
        }

        ExtensionFields.Write(writer, request.Extensions, ResponsesMapping.ExtensionPrefix);
        writer.WriteEndObject();
    }

    private static void WriteFormat(Utf8JsonWriter writer, ResponseFormat? format)
    {
        if (format is null)
        {
            return;
        }

        writer.WriteStartObject("format"u8);
        if (format.Kind == ResponseFormatKind.JsonSchema)
        {
            writer.WriteString("type"u8, "json_schema"u8);
            writer.WriteString("name"u8, format.Name ?? "response");
            if (format.Description is { } description)
            {
                writer.WriteString("description"u8, description);
            }

            writer.WritePropertyName("schema"u8);
            format.Schema!.Value.WriteTo(writer);
            if (format.Strict is bool strict)
            {
                writer.WriteBoolean("strict"u8, strict);
            }
        }
        else
        {
            writer.WriteString("type"u8, format.Kind == ResponseFormatKind.JsonObject ? "json_object"u8 : "text"u8);
        }

        writer.WriteEndObject();
    }

    /// <summary>Function and custom tools, namespaced ones grouped again, then hosted tools.</summary>
    private static void WriteTools(Utf8JsonWriter writer, ChatRequest request)
    {
        var tools = request.CallableTools;
        var hosted = request.HostedTools ?? [];
        if (tools.Count == 0 && hosted.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("tools"u8);
        // In the client's order; a namespace's tools, read together, are written together again.
        string? open = null;
        foreach (var tool in tools)
        {
            if (tool.Namespace != open)
            {
                if (open is not null)
                {
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                open = tool.Namespace;
                if (open is not null)
                {
                    writer.WriteStartObject();
                    writer.WriteString("type"u8, "namespace"u8);
                    writer.WriteString("name"u8, open);
                    writer.WriteString("description"u8, tool.NamespaceDescription ?? string.Empty);
                    writer.WriteStartArray("tools"u8);
                }
            }

            WriteTool(writer, tool);
        }

        if (open is not null)
        {
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        foreach (var tool in hosted)
        {
            WriteHostedTool(writer, tool, request.Adjustments);
        }

        writer.WriteEndArray();
    }

    private static void WriteTool(Utf8JsonWriter writer, ToolDefinition tool)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, tool.FreeForm is null ? "function"u8 : "custom"u8);
        writer.WriteString("name"u8, tool.Name);
        if (tool.Description is { } description)
        {
            writer.WriteString("description"u8, description);
        }

        if (tool.FreeForm is { } form)
        {
            writer.WriteStartObject("format"u8);
            if (form.Grammar is { } grammar)
            {
                writer.WriteString("type"u8, "grammar"u8);
                writer.WriteString("syntax"u8, form.GrammarSyntax ?? "lark");
                writer.WriteString("definition"u8, grammar);
            }
            else
            {
                writer.WriteString("type"u8, "text"u8);
            }

            writer.WriteEndObject();
        }
        else
        {
            writer.WritePropertyName("parameters"u8);
            if (tool.Parameters is { } parameters)
            {
                parameters.WriteTo(writer);
            }
            else
            {
                writer.WriteRawValue("""{"type":"object","properties":{}}"""u8);
            }

            if (tool.Strict is bool strict)
            {
                writer.WriteBoolean("strict"u8, strict);
            }
        }

        if (tool.DeferLoading)
        {
            writer.WriteBoolean("defer_loading"u8, true);
        }

        writer.WriteEndObject();
    }

    /// <summary>Web search natively; another hosted tool only as its own Responses definition (see <see cref="UpstreamAdapter"/>).</summary>
    private static void WriteHostedTool(Utf8JsonWriter writer, HostedTool tool, ParamAdjustments adjustments)
    {
        if (tool.Extensions?.TryGetValue(ResponsesMapping.ExtensionPrefix + "tool", out var own) == true)
        {
            own.WriteTo(writer);
            return;
        }

        if (tool.Kind != HostedToolKind.WebSearch)
        {
            return;
        }

        var search = tool.Search ?? new WebSearchOptions();
        writer.WriteStartObject();
        writer.WriteString("type"u8, "web_search"u8);
        if (search.AllowedDomains is { Count: > 0 } allowed)
        {
            writer.WriteStartObject("filters"u8);
            writer.WriteStartArray("allowed_domains"u8);
            foreach (var domain in allowed)
            {
                writer.WriteStringValue(domain);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        if (search.ContextSize is { } size)
        {
            writer.WriteString("search_context_size"u8, size);
        }

        if (search.UserLocation is { } location)
        {
            writer.WriteStartObject("user_location"u8);
            writer.WriteString("type"u8, "approximate"u8);
            UserLocationFields.Write(writer, location);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        if (search.BlockedDomains is { Count: > 0 })
        {
            adjustments.Dropped(tool.Param + ".blocked_domains", "OpenAI web search has only an allow-list");
        }

        if (search.MaxUses is not null)
        {
            adjustments.Dropped(tool.Param + ".max_uses", "OpenAI web search has no per-tool limit");
        }
    }

    private static void WriteItems(Utf8JsonWriter writer, ChatMessage message, HashSet<string> freeFormCalls)
    {
        if (message.Role == Role.Assistant)
        {
            var text = new List<ContentPart>();
            foreach (var part in message.Parts)
            {
                switch (part)
                {
                    case TextPart or RefusalPart:
                        text.Add(part);
                        break;
                    case ToolCallPart call:
                        FlushAssistantText(writer, text);
                        writer.WriteStartObject();
                        writer.WriteString("type"u8, call.FreeFormInput is null ? "function_call"u8 : "custom_tool_call"u8);
                        writer.WriteString("call_id"u8, call.Id);
                        writer.WriteString("name"u8, call.Name);
                        if (call.Namespace is { } ns)
                        {
                            writer.WriteString("namespace"u8, ns);
                        }

                        if (call.FreeFormInput is { } input)
                        {
                            writer.WriteString("input"u8, input);
                        }
                        else
                        {
                            writer.WriteString("arguments"u8, call.ArgumentsJson);
                        }

                        writer.WriteEndObject();
                        break;
                    case ReasoningPart reasoning when EncryptedReasoning(reasoning) is ({ } id, { } encrypted):
                        // Only OpenAI's own encrypted reasoning can go back; it needs its item id.
                        FlushAssistantText(writer, text);
                        writer.WriteStartObject();
                        writer.WriteString("type"u8, "reasoning"u8);
                        writer.WriteString("id"u8, id);
                        writer.WriteStartArray("summary"u8);
                        if (reasoning.Text.Length > 0)
                        {
                            writer.WriteStartObject();
                            writer.WriteString("type"u8, "summary_text"u8);
                            writer.WriteString("text"u8, reasoning.Text);
                            writer.WriteEndObject();
                        }

                        writer.WriteEndArray();
                        writer.WriteString("encrypted_content"u8, encrypted);
                        writer.WriteEndObject();
                        break;
                }
            }

            FlushAssistantText(writer, text);
            return;
        }

        var results = message.Parts.OfType<ToolResultPart>().ToList();
        foreach (var result in results)
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, freeFormCalls.Contains(result.ToolCallId) ? "custom_tool_call_output"u8 : "function_call_output"u8);
            writer.WriteString("call_id"u8, result.ToolCallId);
            if (result.Content is [] or [TextPart])
            {
                writer.WriteString("output"u8, result.Content is [TextPart only] ? only.Text : string.Empty);
            }
            else
            {
                // Several blocks, images or files (Anthropic tool results) go as content parts, which the API accepts too.
                writer.WriteStartArray("output"u8);
                foreach (var part in result.Content)
                {
                    WriteInputPart(writer, part);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        var content = message.Parts.Where(p => p is not ToolResultPart).ToList();
        if (content.Count == 0)
        {
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("type"u8, "message"u8);
        writer.WriteString("role"u8, "user"u8);
        writer.WriteStartArray("content"u8);
        foreach (var part in content)
        {
            WriteInputPart(writer, part);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteInputPart(Utf8JsonWriter writer, ContentPart part)
    {
        switch (part)
        {
            case TextPart text:
                writer.WriteStartObject();
                writer.WriteString("type"u8, "input_text"u8);
                writer.WriteString("text"u8, text.Text);
                writer.WriteEndObject();
                break;
            case ImagePart image:
                writer.WriteStartObject();
                writer.WriteString("type"u8, "input_image"u8);
                writer.WriteString("image_url"u8, image.Url ?? DataUrl.Format(image.MediaType ?? "image/png", image.Base64Data ?? string.Empty));
                writer.WriteString("detail"u8, image.Detail ?? "auto");
                writer.WriteEndObject();
                break;
            case DocumentPart document:
                writer.WriteStartObject();
                writer.WriteString("type"u8, "input_file"u8);
                if (document.Base64Data is { } data)
                {
                    writer.WriteString("file_data"u8, DataUrl.Format(document.MediaType ?? "application/pdf", data));
                    writer.WriteString("filename"u8, document.FileName ?? document.Title ?? "document.pdf");
                }
                else
                {
                    writer.WriteString("file_url"u8, document.Url);
                }

                writer.WriteEndObject();
                break;
        }
    }

    /// <summary>The item id and encrypted content of OpenAI reasoning, whether kept natively or carried in a Switchyard signature.</summary>
    private static (string? Id, string? Encrypted) EncryptedReasoning(ReasoningPart reasoning)
    {
        if (ResponsesMapping.TryReadEncryptedReasoning(reasoning.Signature, out var itemId, out var content))
        {
            return (itemId, content);
        }

        return reasoning.EncryptedContent is { } encrypted && reasoning.Extensions?.TryGetValue(ResponsesMapping.ItemIdKey, out var id) == true
            ? (id.GetString(), encrypted)
            : (null, null);
    }

    private static void FlushAssistantText(Utf8JsonWriter writer, List<ContentPart> text)
    {
        if (text.Count == 0)
        {
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("type"u8, "message"u8);
        writer.WriteString("role"u8, "assistant"u8);
        writer.WriteStartArray("content"u8);
        foreach (var part in text)
        {
            writer.WriteStartObject();
            if (part is RefusalPart refusal)
            {
                writer.WriteString("type"u8, "refusal"u8);
                writer.WriteString("refusal"u8, refusal.Text);
            }
            else
            {
                writer.WriteString("type"u8, "output_text"u8);
                writer.WriteString("text"u8, ((TextPart)part).Text);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        text.Clear();
    }
}
