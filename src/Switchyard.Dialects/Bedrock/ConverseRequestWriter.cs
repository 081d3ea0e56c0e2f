using System.Text;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Models;

namespace Switchyard.Dialects.Bedrock;

/// <summary>
/// Writes a neutral request as a Bedrock Converse body (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html).
/// The model id travels in the path. Rules Converse enforces that other dialects do not: one
/// system list, alternating user/assistant turns with tool results first in theirs, a
/// <c>toolConfig</c> whenever the history holds tool blocks, images and documents inline or from
/// S3 only. Anthropic models get their thinking budget through <c>additionalModelRequestFields</c>
/// and, like Amazon Nova, cache hints as <c>cachePoint</c> blocks.
/// </summary>
internal static class ConverseRequestWriter
{
    private static readonly JsonElement EmptyObjectSchema = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    public static void Write(Utf8JsonWriter writer, ChatRequest request, UpstreamTarget target)
    {
        var upstreamModel = target.Model;
        var adjustments = request.Adjustments;
        var anthropic = ConverseMapping.IsAnthropic(upstreamModel);
        var caching = anthropic || ConverseMapping.IsNova(upstreamModel);
        var forcedJson = request.ResponseFormat is { Kind: ResponseFormatKind.JsonSchema or ResponseFormatKind.JsonObject };
        var forcedTool = forcedJson || request.ToolChoice?.Mode is ToolChoiceMode.Required or ToolChoiceMode.Function;
        var thinking = ThinkingBudget(request, target, anthropic, forcedTool, out var maxTokens);

        writer.WriteStartObject();
        WriteSystem(writer, request.Messages, caching);
        WriteMessages(writer, request.Messages, caching);
        WriteInferenceConfig(writer, request, anthropic, thinking is not null, maxTokens, adjustments);
        WriteTools(writer, request, forcedJson, caching, adjustments);
        WriteAdditionalFields(writer, request, upstreamModel, anthropic, thinking, adjustments);

        if (request.PresencePenalty is not null)
        {
            adjustments.Dropped("presence_penalty", "Bedrock Converse does not support it");
        }

        if (request.FrequencyPenalty is not null)
        {
            adjustments.Dropped("frequency_penalty", "Bedrock Converse does not support it");
        }

        if (request.Seed is not null)
        {
            adjustments.Dropped("seed", "Bedrock Converse does not support it");
        }

        writer.WriteEndObject();
    }

    /// <summary>The Anthropic thinking budget to send, or null; also the maxTokens to send (null: the model's default).</summary>
    private static int? ThinkingBudget(ChatRequest request, UpstreamTarget target, bool anthropic, bool forcedTool, out int? maxTokens)
    {
        var wanted = ClaudeThinking.WantedBudget(request);

        // Anthropic models require maxTokens; the budget comes on top of the default answer length.
        maxTokens = request.MaxOutputTokens ?? (anthropic ? target.DefaultMaxOutputTokens + (wanted is int extra && !forcedTool ? extra : 0) : null);
        return anthropic && maxTokens is int max ? ClaudeThinking.Budget(request, max, forcedTool, IsReturnableReasoning) : null;
    }

    /// <summary>Bedrock accepts back only reasoning it signed itself, or redacted reasoning.</summary>
    private static bool IsReturnableReasoning(ReasoningPart reasoning) =>
        reasoning.RedactedData is not null || ConverseMapping.BedrockSignature(reasoning.Signature) is not null;

    private static void WriteSystem(Utf8JsonWriter writer, List<ChatMessage> messages, bool caching)
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
            writer.WriteStartObject();
            writer.WriteString("text"u8, block.Text);
            writer.WriteEndObject();
            WriteCachePoint(writer, block.CacheControl, caching);
        }

        writer.WriteEndArray();
    }

    private static void WriteMessages(Utf8JsonWriter writer, List<ChatMessage> messages, bool caching)
    {
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

        var documentNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        writer.WriteStartArray("messages"u8);
        foreach (var (role, parts) in turns)
        {
            writer.WriteStartObject();
            writer.WriteString("role"u8, role);
            writer.WriteStartArray("content"u8);

            // Tool results answer the previous turn's calls and lead theirs; reasoning leads an assistant turn.
            foreach (var part in parts.OrderBy(p => p is ToolResultPart or ReasoningPart ? 0 : 1))
            {
                WriteBlock(writer, part, documentNames);
                WriteCachePoint(writer, part.CacheControl, caching);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static bool Keep(ContentPart part, string role) => part switch
    {
        TextPart text => text.Text.Length > 0,

        ReasoningPart reasoning => role == "assistant" && IsReturnableReasoning(reasoning),
        RefusalPart refusal => refusal.Text.Length > 0,
        _ => true,
    };

    private static void WriteBlock(Utf8JsonWriter writer, ContentPart part, HashSet<string> documentNames)
    {
        switch (part)
        {
            case TextPart text:
                WriteText(writer, text.Text);
                break;
            case RefusalPart refusal:
                WriteText(writer, refusal.Text);
                break;
            case ImagePart image:
                WriteImage(writer, image);
                break;
            case DocumentPart document:
                WriteDocument(writer, document, documentNames);
                break;
            case ToolCallPart call:
                writer.WriteStartObject();
                writer.WriteStartObject("toolUse"u8);
                writer.WriteString("toolUseId"u8, ToolIds.Sanitize(call.Id));
                writer.WriteString("name"u8, call.Name);
                writer.WritePropertyName("input"u8);
                ToolArguments.WriteObject(writer, call.ArgumentsJson);
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            case ToolResultPart result:
                writer.WriteStartObject();
                writer.WriteStartObject("toolResult"u8);
                writer.WriteString("toolUseId"u8, ToolIds.Sanitize(result.ToolCallId));
                writer.WriteStartArray("content"u8);
                foreach (var inner in result.Content)
                {
                    if (inner is TextPart { Text.Length: 0 })
                    {
                        continue;
                    }

                    WriteBlock(writer, inner, documentNames);
                }

                writer.WriteEndArray();
                if (result.IsError)
                {
                    writer.WriteString("status"u8, "error"u8);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            case ReasoningPart { RedactedData: { } data }:
                writer.WriteStartObject();
                writer.WriteStartObject("reasoningContent"u8);
                writer.WriteString("redactedContent"u8, data);
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            case ReasoningPart reasoning:
                writer.WriteStartObject();
                writer.WriteStartObject("reasoningContent"u8);
                writer.WriteStartObject("reasoningText"u8);
                writer.WriteString("text"u8, reasoning.Text);
                writer.WriteString("signature"u8, ConverseMapping.BedrockSignature(reasoning.Signature));
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
        }
    }

    private static void WriteText(Utf8JsonWriter writer, string text)
    {
        writer.WriteStartObject();
        writer.WriteString("text"u8, text);
        writer.WriteEndObject();
    }

    private static void WriteImage(Utf8JsonWriter writer, ImagePart image)
    {
        var base64 = image.Base64Data;
        var mediaType = image.MediaType;
        if (base64 is null && DataUrl.TryParse(image.Url, out var urlType, out var urlData))
        {
            base64 = urlData;
            mediaType ??= urlType;
        }

        var s3 = base64 is null && image.Url?.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) == true ? image.Url : null;
        if (base64 is null && s3 is null)
        {
            throw GatewayException.InvalidRequest("Bedrock takes images inline (base64 or a data: URL) or from s3:// only, not from a web URL.", "messages");
        }

        writer.WriteStartObject();
        writer.WriteStartObject("image"u8);
        writer.WriteString("format"u8, ImageFormat(mediaType ?? (s3 is not null ? MediaTypeOfPath(s3) : null)));
        WriteSource(writer, base64, text: null, s3);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteDocument(Utf8JsonWriter writer, DocumentPart document, HashSet<string> documentNames)
    {
        var base64 = document.Base64Data;
        var mediaType = document.MediaType;
        if (base64 is null && DataUrl.TryParse(document.Url, out var urlType, out var urlData))
        {
            base64 = urlData;
            mediaType ??= urlType;
        }

        var s3 = base64 is null && document.Text is null && document.Url?.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) == true ? document.Url : null;
        if (base64 is null && document.Text is null && s3 is null)
        {
            throw GatewayException.InvalidRequest("Bedrock takes documents inline (base64, data: URL or text) or from s3:// only, not from a web URL.", "messages");
        }

        writer.WriteStartObject();
        writer.WriteStartObject("document"u8);
        writer.WriteString("format"u8, document.Text is not null && base64 is null ? "txt" : DocumentFormat(mediaType ?? (s3 is not null ? MediaTypeOfPath(s3) : null)));
        writer.WriteString("name"u8, DocumentName(document.Title ?? document.FileName, documentNames));
        WriteSource(writer, base64, base64 is null ? document.Text : null, s3);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteSource(Utf8JsonWriter writer, string? base64, string? text, string? s3)
    {
        writer.WriteStartObject("source"u8);
        if (base64 is not null)
        {
            writer.WriteString("bytes"u8, base64);
        }
        else if (text is not null)
        {
            writer.WriteString("text"u8, text);
        }
        else
        {
            writer.WriteStartObject("s3Location"u8);
            writer.WriteString("uri"u8, s3);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static string ImageFormat(string? mediaType) => mediaType?.ToLowerInvariant() switch
    {
        "image/png" => "png",
        "image/jpeg" or "image/jpg" => "jpeg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        var other => throw GatewayException.InvalidRequest($"Bedrock takes png, jpeg, gif or webp images, not '{other ?? "unknown"}'.", "messages"),
    };

    private static string DocumentFormat(string? mediaType) => mediaType?.ToLowerInvariant() switch
    {
        null or "application/pdf" => "pdf",
        "text/csv" => "csv",
        "text/plain" => "txt",
        "text/markdown" => "md",
        "text/html" => "html",
        "application/msword" => "doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.ms-excel" => "xls",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        var other => throw GatewayException.InvalidRequest($"Bedrock takes pdf, csv, doc, docx, xls, xlsx, html, txt or md documents, not '{other}'.", "messages"),
    };

    private static string? MediaTypeOfPath(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".gif" => "image/gif",
        ".webp" => "image/webp",
        ".pdf" => "application/pdf",
        ".csv" => "text/csv",
        ".txt" => "text/plain",
        ".md" => "text/markdown",
        ".html" or ".htm" => "text/html",
        ".doc" => "application/msword",
        ".docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".xls" => "application/vnd.ms-excel",
        ".xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => null,
    };

    /// <summary>
    /// Document names may hold only letters, digits, single spaces, hyphens, parentheses and
    /// square brackets, and must differ within a request; other characters become hyphens.
    /// </summary>
    private static string DocumentName(string? wanted, HashSet<string> taken)
    {
        var builder = new StringBuilder();
        foreach (var c in wanted ?? string.Empty)
        {
            var kept = char.IsAsciiLetterOrDigit(c) || c is '-' or '(' or ')' or '[' or ']' ? c : char.IsWhiteSpace(c) ? ' ' : '-';
            if (kept == ' ' && (builder.Length == 0 || builder[^1] == ' '))
            {
                continue;
            }

            builder.Append(kept);
        }

        var name = builder.ToString().TrimEnd();
        if (name.Length == 0)
        {
            name = "document";
        }

        var unique = name;
        for (var n = 2; !taken.Add(unique); n++)
        {
            unique = $"{name} ({n})";
        }

        return unique;
    }

    private static void WriteCachePoint(Utf8JsonWriter writer, JsonElement? cacheControl, bool caching)
    {
        if (caching && cacheControl is { ValueKind: JsonValueKind.Object })
        {
            writer.WriteStartObject();
            writer.WriteStartObject("cachePoint"u8);
            writer.WriteString("type"u8, "default"u8);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }

    private static void WriteInferenceConfig(Utf8JsonWriter writer, ChatRequest request, bool anthropic, bool thinking, int? maxTokens, ParamAdjustments adjustments)
    {
        double? temperature = null;
        double? topP = null;
        if (thinking)
        {
            // Anthropic's extended thinking refuses modified temperature and top_p.
            if (request.Temperature is not null)
            {
                adjustments.Dropped("temperature", "Anthropic models do not accept it together with thinking");
            }

            if (request.TopP is not null)
            {
                adjustments.Dropped("top_p", "Anthropic models do not accept it together with thinking");
            }
        }
        else
        {
            temperature = request.Temperature;
            if (anthropic && temperature is double wanted && wanted > 1)
            {
                // Anthropic's range is 0..1 where OpenAI's is 0..2.
                adjustments.Clamped("temperature", wanted, 1);
                temperature = 1;
            }

            topP = request.TopP;
        }

        var stops = request.StopSequences is { Count: > 0 } list ? list : null;
        if (maxTokens is null && temperature is null && topP is null && stops is null)
        {
            return;
        }

        writer.WriteStartObject("inferenceConfig"u8);
        if (maxTokens is int max)
        {
            writer.WriteNumber("maxTokens"u8, max);
        }

        if (temperature is double t)
        {
            writer.WriteNumber("temperature"u8, t);
        }

        if (topP is double p)
        {
            writer.WriteNumber("topP"u8, p);
        }

        if (stops is not null)
        {
            writer.WriteStartArray("stopSequences"u8);
            foreach (var stop in stops)
            {
                writer.WriteStringValue(stop);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteTools(Utf8JsonWriter writer, ChatRequest request, bool forcedJson, bool caching, ParamAdjustments adjustments)
    {
        var tools = request.CallableTools.ToList();
        var historyHasTools = request.Messages.Any(m => m.Parts.Any(p => p is ToolCallPart or ToolResultPart));
        var choice = forcedJson ? ToolChoice.Function(ConverseMapping.JsonOutputTool) : request.ToolChoice;
        if (choice?.Mode == ToolChoiceMode.None && !historyHasTools)
        {
            // No tools offered is how Converse says "none".
            return;
        }

        // Converse refuses toolUse/toolResult blocks without a toolConfig; a client that stopped
        // sending tools mid conversation gets the called ones declared with an open schema.
        if (tools.Count == 0 && historyHasTools)
        {
            tools = request.Messages.SelectMany(m => m.Parts.OfType<ToolCallPart>())
                .Select(c => c.Name).Distinct(StringComparer.Ordinal)
                .Select(name => new ToolDefinition(name)).ToList();
        }

        if (tools.Count == 0 && !forcedJson)
        {
            return;
        }

        writer.WriteStartObject("toolConfig"u8);
        writer.WriteStartArray("tools"u8);
        foreach (var tool in tools)
        {
            WriteToolSpec(writer, tool.Name, tool.Description, tool.Parameters);
            WriteCachePoint(writer, tool.CacheControl, caching);
        }

        if (forcedJson)
        {
            WriteToolSpec(
                writer,
                ConverseMapping.JsonOutputTool,
                request.ResponseFormat!.Description ?? "Respond with the final answer as this tool's input.",
                request.ResponseFormat.Schema);
        }

        writer.WriteEndArray();

        switch (choice?.Mode)
        {
            case ToolChoiceMode.Required:
                writer.WriteStartObject("toolChoice"u8);
                writer.WriteStartObject("any"u8);
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            case ToolChoiceMode.Function:
                writer.WriteStartObject("toolChoice"u8);
                writer.WriteStartObject("tool"u8);
                writer.WriteString("name"u8, choice.FunctionName);
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            case ToolChoiceMode.None:
                adjustments.Dropped("tool_choice", "Bedrock Converse cannot forbid tool calls while the conversation holds tool blocks");
                break;
            case ToolChoiceMode.Auto:
                writer.WriteStartObject("toolChoice"u8);
                writer.WriteStartObject("auto"u8);
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
        }

        writer.WriteEndObject();

        if (request.ParallelToolCalls == false && request.CallableTools.Count > 0)
        {
            adjustments.Dropped("parallel_tool_calls", "Bedrock Converse cannot limit a turn to one tool call");
        }
    }

    private static void WriteToolSpec(Utf8JsonWriter writer, string name, string? description, JsonElement? parameters)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("toolSpec"u8);
        writer.WriteString("name"u8, name);
        if (description is { Length: > 0 })
        {
            writer.WriteString("description"u8, description);
        }

        writer.WriteStartObject("inputSchema"u8);
        writer.WritePropertyName("json"u8);
        (parameters is { ValueKind: JsonValueKind.Object } schema ? schema : EmptyObjectSchema).WriteTo(writer);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteAdditionalFields(Utf8JsonWriter writer, ChatRequest request, string upstreamModel, bool anthropic, int? thinking, ParamAdjustments adjustments)
    {
        var topK = request.TopK is int k && thinking is null ? k : (int?)null;
        if (request.TopK is not null && (!anthropic || thinking is not null))
        {
            adjustments.Dropped("top_k", anthropic ? "Anthropic models do not accept it together with thinking" : "Bedrock Converse passes it to Anthropic models only");
        }

        string? novaEffort = null;
        if (request.Reasoning is { Disabled: false } reasoning && !anthropic)
        {
            if (ConverseMapping.IsNova(upstreamModel))
            {
                // Nova's reasoning takes an effort word (https://docs.aws.amazon.com/nova/latest/userguide/extended-thinking.html).
                novaEffort = reasoning.Effort is "minimal" or "low" ? "low" : reasoning.Effort is "high" or "xhigh" ? "high"
                    : reasoning.Effort is null && reasoning.BudgetTokens is int budget ? ReasoningBudget.ToEffort(budget) : "medium";
            }
            else
            {
                adjustments.Dropped("reasoning_effort", "this Bedrock model takes no reasoning setting through Converse");
            }
        }

        if (thinking is null && topK is null && novaEffort is null)
        {
            return;
        }

        writer.WriteStartObject("additionalModelRequestFields"u8);
        if (thinking is int budgetTokens)
        {
            writer.WriteStartObject("thinking"u8);
            writer.WriteString("type"u8, "enabled"u8);
            writer.WriteNumber("budget_tokens"u8, budgetTokens);
            writer.WriteEndObject();
        }

        if (topK is int topKValue)
        {
            writer.WriteNumber("top_k"u8, topKValue);
        }

        if (novaEffort is not null)
        {
            writer.WriteStartObject("reasoningConfig"u8);
            writer.WriteString("type"u8, "enabled"u8);
            writer.WriteString("maxReasoningEffort"u8, novaEffort);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
