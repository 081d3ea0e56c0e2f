using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Models;

namespace Switchyard.Dialects.Anthropic;

/// <summary>
/// Writes a neutral request as an Anthropic Messages request, applying the rules Anthropic enforces
/// that other dialects do not: one system field, strictly alternating user/assistant turns with no
/// empty text, every tool_result first in the user turn after its tool_use, max_tokens always set,
/// a thinking budget below max_tokens and never with a forced tool, ids of [A-Za-z0-9_-] only.
/// </summary>
internal static class MessagesRequestWriter
{
    public static void Write(Utf8JsonWriter writer, ChatRequest request, UpstreamTarget target)
    {
        var adjustments = request.Adjustments;
        var forcedJson = request.ResponseFormat is { Kind: ResponseFormatKind.JsonSchema or ResponseFormatKind.JsonObject };
        var forcedTool = forcedJson || request.ToolChoice?.Mode is ToolChoiceMode.Required or ToolChoiceMode.Function;

        // With no max_tokens from the client, the thinking budget comes on top of the default answer length.
        var maxTokens = request.MaxOutputTokens
            ?? target.DefaultMaxOutputTokens + (ClaudeThinking.WantedBudget(request) is int wanted && !forcedTool ? wanted : 0);
        var thinkingBudget = ClaudeThinking.Budget(request, maxTokens, forcedTool, IsReturnable);

        writer.WriteStartObject();
        writer.WriteString("model"u8, target.Model);
        writer.WriteNumber("max_tokens"u8, maxTokens);
        WriteSystem(writer, request.Messages);
        WriteMessages(writer, request.Messages);

        if (request.StopSequences is { Count: > 0 } stops)
        {
            writer.WriteStartArray("stop_sequences"u8);
            foreach (var stop in stops)
            {
                writer.WriteStringValue(stop);
            }

            writer.WriteEndArray();
        }

        if (thinkingBudget is int budget)
        {
            writer.WriteStartObject("thinking"u8);
            writer.WriteString("type"u8, "enabled"u8);
            writer.WriteNumber("budget_tokens"u8, budget);
            writer.WriteEndObject();

            // https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking: thinking is not
            // compatible with temperature, top_k or modified top_p.
            if (request.Temperature is not null)
            {
                adjustments.Dropped("temperature", "Anthropic does not accept it together with thinking");
            }

            if (request.TopK is not null)
            {
                adjustments.Dropped("top_k", "Anthropic does not accept it together with thinking");
            }

            if (request.TopP is not null)
            {
                adjustments.Dropped("top_p", "Anthropic does not accept it together with thinking");
            }
        }
        else
        {
            if (request.Temperature is double temperature)
            {
                // Anthropic's range is 0..1 where OpenAI's is 0..2.
                var clamped = Math.Min(temperature, 1);
                if (clamped != temperature)
                {
                    adjustments.Clamped("temperature", temperature, clamped);
                }

                writer.WriteNumber("temperature"u8, clamped);
            }

            if (request.TopP is double topP)
            {
                writer.WriteNumber("top_p"u8, topP);
            }

            if (request.TopK is int topK)
            {
                writer.WriteNumber("top_k"u8, topK);
            }
        }

        if (request.PresencePenalty is not null)
        {
            adjustments.Dropped("presence_penalty", "Anthropic models do not support it");
        }

        if (request.FrequencyPenalty is not null)
        {
            adjustments.Dropped("frequency_penalty", "Anthropic models do not support it");
        }

        if (request.Seed is not null)
        {
            adjustments.Dropped("seed", "Anthropic models do not support it");
        }

        WriteTools(writer, request, forcedJson);
        if (request.User is { } user)
        {
            writer.WriteStartObject("metadata"u8);
            writer.WriteString("user_id"u8, user);
            writer.WriteEndObject();
        }

        if (request.Stream)
        {
            writer.WriteBoolean("stream"u8, true);
        }

        ExtensionFields.Write(writer, request.Extensions, MessagesMapping.ExtensionPrefix);
        writer.WriteEndObject();
    }

    private static void WriteSystem(Utf8JsonWriter writer, List<ChatMessage> messages)
    {
        var blocks = messages.Where(m => m.Role.IsInstruction)
            .SelectMany(m => m.Parts.OfType<TextPart>())
            .Where(p => p.Text.Length > 0)
            .ToList();
        if (blocks.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("system"u8);
        foreach (var block in blocks)
        {
            WriteText(writer, block);
        }

        writer.WriteEndArray();
    }

    private static void WriteMessages(Utf8JsonWriter writer, List<ChatMessage> messages)
    {
        // Build turns first: map roles, drop what Anthropic refuses, then merge neighbours of one role.
        var turns = new List<(string Role, List<ContentPart> Parts)>();
        foreach (var message in messages)
        {
            if (message.Role.IsInstruction)
            {
                continue;
            }

            var role = message.Role == Role.Assistant ? "assistant" : "user";
            var parts = message.Parts.Where(p => Keep(p, role)).ToList();
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

        writer.WriteStartArray("messages"u8);
        foreach (var (role, parts) in turns)
        {
            writer.WriteStartObject();
            writer.WriteString("role"u8, role);
            writer.WriteStartArray("content"u8);

            // Tool results answer the previous turn's tool_use blocks and must come first in theirs;
            // thinking blocks must lead an assistant turn.
            foreach (var part in parts.OrderBy(p => p is ToolResultPart or ReasoningPart ? 0 : 1))
            {
                WriteBlock(writer, part);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static bool Keep(ContentPart part, string role) => part switch
    {
        TextPart text => text.Text.Length > 0,

        ReasoningPart reasoning => role == "assistant" && IsReturnable(reasoning),
        RefusalPart refusal => refusal.Text.Length > 0,
        _ => true,
    };

    private static void WriteBlock(Utf8JsonWriter writer, ContentPart part)
    {
        switch (part)
        {
            case TextPart text:
                WriteText(writer, text);
                break;
            case RefusalPart refusal:
                WriteText(writer, new TextPart(refusal.Text));
                break;
            case ImagePart image:
                writer.WriteStartObject();
                writer.WriteString("type"u8, "image"u8);
                WriteSource(writer, image.Base64Data, image.MediaType ?? "image/png", image.Url, text: null);
                WriteCacheControl(writer, part);
                writer.WriteEndObject();
                break;
            case DocumentPart document:
                writer.WriteStartObject();
                writer.WriteString("type"u8, "document"u8);
                WriteSource(writer, document.Base64Data, document.MediaType ?? "application/pdf", document.Url, document.Text);
                if ((document.Title ?? document.FileName) is { } title)
                {
                    writer.WriteString("title"u8, title);
                }

                WriteCacheControl(writer, part);
                writer.WriteEndObject();
                break;
            case ToolCallPart call:
                writer.WriteStartObject();
                writer.WriteString("type"u8, "tool_use"u8);
                writer.WriteString("id"u8, ToolIds.Sanitize(call.Id));
                writer.WriteString("name"u8, call.Name);
                writer.WritePropertyName("input"u8);
                ToolArguments.WriteObject(writer, call.ArgumentsJson);
                WriteCacheControl(writer, part);
                writer.WriteEndObject();
                break;
            case ToolResultPart result:
                writer.WriteStartObject();
                writer.WriteString("type"u8, "tool_result"u8);
                writer.WriteString("tool_use_id"u8, ToolIds.Sanitize(result.ToolCallId));
                var content = result.Content.Where(p => p is not TextPart { Text.Length: 0 }).ToList();
                if (content.All(p => p is TextPart))
                {
                    writer.WriteString("content"u8, string.Join("\n", content.OfType<TextPart>().Select(t => t.Text)));
                }
                else
                {
                    writer.WriteStartArray("content"u8);
                    foreach (var inner in content)
                    {
                        WriteBlock(writer, inner);
                    }

                    writer.WriteEndArray();
                }

                if (result.IsError)
                {
                    writer.WriteBoolean("is_error"u8, true);
                }

                WriteCacheControl(writer, part);
                writer.WriteEndObject();
                break;
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
                writer.WriteString("signature"u8, AnthropicSignature(reasoning.Signature));
                writer.WriteEndObject();
                break;
        }
    }

    /// <summary>Anthropic accepts back only thinking it signed itself, or redacted thinking.</summary>
    private static bool IsReturnable(ReasoningPart reasoning) => reasoning.RedactedData is not null || AnthropicSignature(reasoning.Signature) is not null;

    /// <summary>Anthropic's own signature, raw or carried through another dialect; null for anyone else's.</summary>
    private static string? AnthropicSignature(string? signature)
    {
        if (string.IsNullOrEmpty(signature))
        {
            return null;
        }

        if (!ReasoningSignature.TryUnwrap(signature, out var source, out var original))
        {
            return ReasoningSignature.IsSwitchyard(signature) ? null : signature;
        }

        return source == ReasoningSignature.BareSource ? original : null;
    }

    private static void WriteText(Utf8JsonWriter writer, TextPart text)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "text"u8);
        writer.WriteString("text"u8, text.Text);
        WriteCacheControl(writer, text);
        writer.WriteEndObject();
    }

    private static void WriteSource(Utf8JsonWriter writer, string? base64, string mediaType, string? url, string? text)
    {
        writer.WriteStartObject("source"u8);
        if (base64 is not null)
        {
            writer.WriteString("type"u8, "base64"u8);
            writer.WriteString("media_type"u8, mediaType);
            writer.WriteString("data"u8, base64);
        }
        else if (text is not null)
        {
            writer.WriteString("type"u8, "text"u8);
            writer.WriteString("media_type"u8, "text/plain"u8);
            writer.WriteString("data"u8, text);
        }
        else
        {
            writer.WriteString("type"u8, "url"u8);
            writer.WriteString("url"u8, url ?? string.Empty);
        }

        writer.WriteEndObject();
    }

    private static void WriteCacheControl(Utf8JsonWriter writer, ContentPart part)
    {
        if (part.CacheControl is { ValueKind: JsonValueKind.Object } cacheControl)
        {
            writer.WritePropertyName("cache_control"u8);
            cacheControl.WriteTo(writer);
        }
    }

    /// <summary>The web search server tool (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool), or the client's own Anthropic definition.</summary>
    private static void WriteHostedTool(Utf8JsonWriter writer, HostedTool tool, ParamAdjustments adjustments)
    {
        if (tool.Extensions?.TryGetValue(MessagesMapping.ExtensionPrefix + "tool", out var own) == true)
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
        writer.WriteString("type"u8, WebSearchToolType);
        writer.WriteString("name"u8, "web_search"u8);
        if (search.MaxUses is int maxUses)
        {
            writer.WriteNumber("max_uses"u8, maxUses);
        }

        // Anthropic takes an allow-list or a block-list, not both.
        if (search.AllowedDomains is { Count: > 0 } allowed)
        {
            WriteStrings(writer, "allowed_domains"u8, allowed);
            if (search.BlockedDomains is { Count: > 0 })
            {
                adjustments.Dropped(tool.Param + ".blocked_domains", "Anthropic web search takes an allow-list or a block-list, not both");
            }
        }
        else if (search.BlockedDomains is { Count: > 0 } blocked)
        {
            WriteStrings(writer, "blocked_domains"u8, blocked);
        }

        if (search.UserLocation is { } location)
        {
            writer.WriteStartObject("user_location"u8);
            writer.WriteString("type"u8, "approximate"u8);
            UserLocationFields.Write(writer, location);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        if (search.ContextSize is not null)
        {
            adjustments.Dropped(tool.Param + ".search_context_size", "Anthropic web search has no context size");
        }
    }

    /// <summary>The web search server tool version the gateway declares.</summary>
    public const string WebSearchToolType = "web_search_20250305";

    private static void WriteStrings(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static void WriteTools(Utf8JsonWriter writer, ChatRequest request, bool forcedJson)
    {
        var tools = request.CallableTools;
        var hosted = request.HostedTools ?? [];
        if (tools.Count == 0 && hosted.Count == 0 && !forcedJson)
        {
            return;
        }

        writer.WriteStartArray("tools"u8);
        foreach (var tool in hosted)
        {
            WriteHostedTool(writer, tool, request.Adjustments);
        }

        foreach (var tool in tools)
        {
            writer.WriteStartObject();
            writer.WriteString("name"u8, tool.Name);
            if (tool.Description is { } description)
            {
                writer.WriteString("description"u8, description);
            }

            writer.WritePropertyName("input_schema"u8);
            if (tool.Parameters is { ValueKind: JsonValueKind.Object } schema)
            {
                schema.WriteTo(writer);
            }
            else
            {
                writer.WriteRawValue("""{"type":"object","properties":{}}"""u8);
            }

            if (tool.CacheControl is { ValueKind: JsonValueKind.Object } cacheControl)
            {
                writer.WritePropertyName("cache_control"u8);
                cacheControl.WriteTo(writer);
            }

            if (tool.DeferLoading)
            {
                writer.WriteBoolean("defer_loading"u8, true);
            }

            writer.WriteEndObject();
        }

        if (forcedJson)
        {
            // Structured output through a forced tool: its input is the answer (MessagesMapping.JsonOutputTool).
            writer.WriteStartObject();
            writer.WriteString("name"u8, MessagesMapping.JsonOutputTool);
            writer.WriteString("description"u8, request.ResponseFormat!.Description ?? "Respond with the final answer as this tool's input.");
            writer.WritePropertyName("input_schema"u8);
            if (request.ResponseFormat.Schema is { ValueKind: JsonValueKind.Object } schema)
            {
                schema.WriteTo(writer);
            }
            else
            {
                writer.WriteRawValue("""{"type":"object"}"""u8);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        var choice = forcedJson ? ToolChoice.Function(MessagesMapping.JsonOutputTool) : request.ToolChoice;
        if (choice is null && request.ParallelToolCalls != false)
        {
            return;
        }

        writer.WriteStartObject("tool_choice"u8);
        switch (choice?.Mode ?? ToolChoiceMode.Auto)
        {
            case ToolChoiceMode.None:
                writer.WriteString("type"u8, "none"u8);
                break;
            case ToolChoiceMode.Required:
                writer.WriteString("type"u8, "any"u8);
                break;
            case ToolChoiceMode.Function:
                writer.WriteString("type"u8, "tool"u8);
                writer.WriteString("name"u8, choice!.FunctionName);
                break;
            default:
                writer.WriteString("type"u8, "auto"u8);
                break;
        }

        if (request.ParallelToolCalls == false && choice?.Mode != ToolChoiceMode.None)
        {
            writer.WriteBoolean("disable_parallel_tool_use"u8, true);
        }

        writer.WriteEndObject();
    }
}
