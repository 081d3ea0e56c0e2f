using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Dialects.Gemini;

/// <summary>Gemini generateContent wire types to the neutral model (the reverse is <see cref="GenerateContentRequestWriter"/>).</summary>
internal static class GenerateContentMapping
{
    public const string ExtensionPrefix = "gemini.";

    public static ChatRequest ToCanonical(GenerateContentRequestWire wire, ParamAdjustments adjustments)
    {
        if (wire.Contents is not { Count: > 0 } contents)
        {
            throw GatewayException.InvalidRequest("* GenerateContentRequest.contents: contents is not specified", "contents");
        }

        var messages = new List<ChatMessage>(contents.Count + 1);
        if (wire.SystemInstruction?.Parts is { Count: > 0 } systemParts)
        {
            messages.Add(new ChatMessage(Role.System, systemParts.Where(p => p?.Text is not null).Select(p => (ContentPart)new TextPart(p.Text!)).ToList()));
        }

        // Gemini 2.x function calls carry no ids; synthesize them so the n-th call of a name pairs
        // with the n-th response of that name, stably across requests of one conversation. A
        // response without an id takes the id of its call, which may have one (the gateway's own).
        var callIds = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var responseCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < contents.Count; i++)
        {
            var content = contents[i] ?? throw GatewayException.InvalidRequest($"contents[{i}] must be an object", $"contents[{i}]");
            var role = content.Role switch
            {
                null or "user" => Role.User,
                "model" => Role.Assistant,
                "function" or "tool" => Role.User,
                var other => throw GatewayException.InvalidRequest($"contents[{i}].role: '{other}' is not one of user, model", $"contents[{i}].role"),
            };
            var parts = new List<ContentPart>();
            foreach (var part in content.Parts ?? [])
            {
                if (part is null)
                {
                    continue;
                }

                // A signature on a call or text travels as signed reasoning just before it, as in
                // answers; it signs the thought text right before it, where there is one (the
                // gateway writes another provider's signed reasoning that way).
                if (part.ThoughtSignature is { } signature && part.Thought != true)
                {
                    if (parts.Count > 0 && parts[^1] is ReasoningPart { Signature: null, RedactedData: null, Text.Length: > 0 } thought)
                    {
                        parts[^1] = thought with { Signature = NormalizeSignature(signature) };
                    }
                    else
                    {
                        parts.Add(new ReasoningPart(string.Empty) { Signature = NormalizeSignature(signature) });
                    }
                }

                if (PartToCanonical(part, callIds, responseCounts) is { } converted)
                {
                    parts.Add(converted);
                }
            }

            messages.Add(new ChatMessage(role, parts));
        }

        var (tools, hosted) = ToolsToCanonical(wire.Tools);
        var config = wire.GenerationConfig;
        if (config?.CandidateCount is > 1)
        {
            adjustments.Dropped("candidateCount", "one candidate is returned per request");
        }

        return new ChatRequest
        {
            Model = string.Empty,
            Messages = messages,
            Tools = tools,
            HostedTools = hosted,
            ToolChoice = wire.ToolConfig?.FunctionCallingConfig switch
            {
                null => null,
                { Mode: "NONE" } => ToolChoice.None,
                { Mode: "ANY" or "VALIDATED", AllowedFunctionNames: { Count: > 0 } names } => ToolChoice.AllowedOnly(required: true, names),
                { Mode: "ANY" } => ToolChoice.Required,
                _ => ToolChoice.Auto,
            },
            ResponseFormat = ResponseFormatToCanonical(config),
            Reasoning = config?.ThinkingConfig switch
            {
                null => null,
                { ThinkingBudget: 0 } => new ReasoningOptions { Disabled = true },
                { ThinkingBudget: > 0 and var budget } => new ReasoningOptions { BudgetTokens = budget, Effort = ReasoningBudget.ToEffort(budget) },
                { ThinkingLevel: { } level } => new ReasoningOptions { Effort = level.ToLowerInvariant() },
                _ => new ReasoningOptions { Effort = "medium" },
            },
            MaxOutputTokens = config?.MaxOutputTokens,
            Temperature = Clamp("generationConfig.temperature", config?.Temperature, 0, 2, adjustments),
            TopP = Clamp("generationConfig.topP", config?.TopP, 0, 1, adjustments),
            TopK = config?.TopK,
            PresencePenalty = config?.PresencePenalty,
            FrequencyPenalty = config?.FrequencyPenalty,
            Seed = config?.Seed,
            StopSequences = config?.StopSequences,
            Extensions = Extensions(wire),
            Adjustments = adjustments,
        };
    }

    /// <summary>Fields with no neutral slot: safety settings (kept for Gemini upstreams), and the rest, which others drop.</summary>
    private static Dictionary<string, JsonElement>? Extensions(GenerateContentRequestWire wire)
    {
        var extensions = new Dictionary<string, JsonElement>();
        if (wire.SafetySettings is { } safety)
        {
            extensions[ExtensionPrefix + "safetySettings"] = safety;
        }

        if (wire.CachedContent is { } cached)
        {
            extensions[ExtensionPrefix + "cachedContent"] = JsonSerializer.SerializeToElement(cached, DialectsJsonContext.Default.String);
        }

        foreach (var (name, value) in wire.ExtensionData ?? [])
        {
            extensions[ExtensionPrefix + name] = value;
        }

        foreach (var (name, value) in wire.GenerationConfig?.ExtensionData ?? [])
        {
            extensions[ExtensionPrefix + "generationConfig." + name] = value;
        }

        return extensions.Count > 0 ? extensions : null;
    }

    private static double? Clamp(string name, double? value, double min, double max, ParamAdjustments adjustments)
    {
        if (value is not double actual)
        {
            return null;
        }

        var clamped = Math.Clamp(actual, min, max);
        if (clamped != actual)
        {
            adjustments.Clamped(name, actual, clamped);
        }

        return clamped;
    }

    private static ContentPart? PartToCanonical(PartWire part, Dictionary<string, List<string>> callIds, Dictionary<string, int> responseCounts)
    {
        if (part.FunctionCall is { } call)
        {
            var name = call.Name ?? throw GatewayException.InvalidRequest("functionCall.name is required", "contents.parts.functionCall.name");
            if (!callIds.TryGetValue(name, out var ids))
            {
                callIds[name] = ids = [];
            }

            var id = call.Id ?? SynthesizedId(name, ids.Count);
            ids.Add(id);
            return new ToolCallPart(id, name, call.Args?.GetRawText() ?? "{}");
        }

        if (part.FunctionResponse is { } response)
        {
            var name = response.Name ?? throw GatewayException.InvalidRequest("functionResponse.name is required", "contents.parts.functionResponse.name");
            var occurrence = Next(responseCounts, name);
            var id = response.Id ?? (callIds.TryGetValue(name, out var ids) && occurrence < ids.Count ? ids[occurrence] : SynthesizedId(name, occurrence));
            return new ToolResultPart(id, [new TextPart(response.Response?.GetRawText() ?? "{}")]) { Name = name };
        }

        if (part.Thought == true)
        {
            return new ReasoningPart(part.Text ?? string.Empty)
            {
                Signature = part.ThoughtSignature is { } thought ? NormalizeSignature(thought) : null,
            };
        }

        if (part.InlineData is { } blob)
        {
            return blob.MimeType?.StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true
                ? new ImagePart { Base64Data = blob.Data, MediaType = blob.MimeType }
                : new DocumentPart { Base64Data = blob.Data, MediaType = blob.MimeType };
        }

        if (part.FileData is { } file)
        {
            return file.MimeType?.StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true
                ? new ImagePart { Url = file.FileUri, MediaType = file.MimeType }
                : new DocumentPart { Url = file.FileUri, MediaType = file.MimeType };
        }

        return part.Text is { } text ? new TextPart(text) : null;
    }

    /// <summary>A thoughtSignature from a client is Gemini's own, or a Switchyard signature the gateway gave it earlier.</summary>
    public static string NormalizeSignature(string signature) =>
        ReasoningSignature.IsSwitchyard(signature) ? signature : ReasoningSignature.Wrap(GeminiSource, signature);

    /// <summary>The dialect name in Switchyard signatures that wrap Gemini thought signatures.</summary>
    public const string GeminiSource = "gemini";

    private static int Next(Dictionary<string, int> counts, string name)
    {
        counts.TryGetValue(name, out var n);
        counts[name] = n + 1;
        return n;
    }

    public static string SynthesizedId(string name, int occurrence) => $"call_{ToolIds.Sanitize(name)}_{occurrence}";

    /// <summary>An id for a call in an upstream answer: unique across rounds, the same when the answer is replayed.</summary>
    public static string SynthesizedId(string? responseId, int index, string name, string arguments)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{responseId}\n{index}\n{name}\n{arguments}"));
        return "call_" + Convert.ToHexStringLower(hash)[..24];
    }

    private static (List<ToolDefinition>? Tools, List<HostedTool>? Hosted) ToolsToCanonical(List<ToolWire>? tools)
    {
        if (tools is null)
        {
            return (null, null);
        }

        var result = new List<ToolDefinition>();
        List<HostedTool>? hosted = null;
        for (var i = 0; i < tools.Count; i++)
        {
            var tool = tools[i];
            if (tool is null)
            {
                continue;
            }

            foreach (var declaration in tool.FunctionDeclarations ?? [])
            {
                if (declaration is null)
                {
                    throw GatewayException.InvalidRequest("Each of tools.functionDeclarations must be an object.", $"tools[{i}].functionDeclarations");
                }

                result.Add(new ToolDefinition(declaration.Name ?? throw GatewayException.InvalidRequest("functionDeclarations.name is required", "tools.functionDeclarations.name"))
                {
                    Description = declaration.Description,
                    Parameters = declaration.ParametersJsonSchema ?? (declaration.Parameters is { } parameters ? GeminiSchema.ToJsonSchema(parameters) : null),
                });
            }

            // The protobuf JSON mapping accepts snake_case field names as well as camelCase.
            var param = $"tools[{i}]";
            if (tool.GoogleSearch is not null)
            {
                (hosted ??= []).Add(Hosted(HostedToolKind.WebSearch, "googleSearch", param, tool.GoogleSearch.Value));
            }

            foreach (var (name, value) in tool.ExtensionData ?? [])
            {
                var kind = name switch
                {
                    "google_search" or "googleSearchRetrieval" or "google_search_retrieval" => HostedToolKind.WebSearch,
                    "codeExecution" or "code_execution" => HostedToolKind.CodeExecution,
                    "urlContext" or "url_context" => HostedToolKind.WebFetch,
                    "fileSearch" or "file_search" => HostedToolKind.FileSearch,
                    "computerUse" or "computer_use" => HostedToolKind.ComputerUse,
                    "function_declarations" => throw GatewayException.InvalidRequest("tools: use functionDeclarations", param + ".function_declarations"),
                    _ => new HostedToolKind(name),
                };
                (hosted ??= []).Add(Hosted(kind, name, param, value));
            }
        }

        return (result, hosted);
    }

    private static HostedTool Hosted(HostedToolKind kind, string type, string param, JsonElement definition) => new(kind)
    {
        ClientType = type,
        Param = param,
        Search = kind == HostedToolKind.WebSearch ? new WebSearchOptions() : null,
        Extensions = new Dictionary<string, JsonElement>
        {
            [ExtensionPrefix + "tool"] = JsonSerializer.SerializeToElement(
                new Dictionary<string, JsonElement> { [type] = definition }, DialectsJsonContext.Default.DictionaryStringJsonElement),
        },
    };

    private static ResponseFormat? ResponseFormatToCanonical(GenerationConfigWire? config)
    {
        if (config?.ResponseMimeType != "application/json")
        {
            return null;
        }

        return (config.ResponseJsonSchema ?? (config.ResponseSchema is { } openApi ? GeminiSchema.ToJsonSchema(openApi) : null)) is { ValueKind: JsonValueKind.Object } schema
            ? new ResponseFormat(ResponseFormatKind.JsonSchema) { Name = "response", Schema = schema }
            : new ResponseFormat(ResponseFormatKind.JsonObject);
    }

    /// <summary>
    /// Gemini's convention: prompt includes cached tokens; candidates exclude thoughts; the tokens its
    /// own tools (Google Search) fed back are counted apart and billed as input.
    /// </summary>
    public static Usage ToCanonical(UsageMetadataWire? usage) => usage is null ? Usage.Empty : new Usage
    {
        InputTokens = Math.Max(0, (usage.PromptTokenCount ?? 0) - (usage.CachedContentTokenCount ?? 0)) + (usage.ToolUsePromptTokenCount ?? 0),
        CacheReadTokens = usage.CachedContentTokenCount ?? 0,
        OutputTokens = usage.CandidatesTokenCount ?? 0,
        ReasoningTokens = usage.ThoughtsTokenCount ?? 0,
    };

    public static FinishReason FinishReasonToCanonical(string? reason, bool calledTools) => reason switch
    {
        "MAX_TOKENS" => FinishReason.Length,
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "IMAGE_SAFETY" => FinishReason.ContentFilter,
        _ when calledTools => FinishReason.ToolCalls,
        _ => FinishReason.Stop,
    };

    public static string FinishReasonFromCanonical(FinishReason reason) => reason switch
    {
        FinishReason.Length => "MAX_TOKENS",
        FinishReason.ContentFilter or FinishReason.Refusal => "SAFETY",
        _ => "STOP",
    };

    public static ChatResponse ToCanonical(GenerateContentResponseWire wire)
    {
        var candidate = wire.Candidates is { Count: > 0 } candidates ? candidates[0] : null;
        var parts = new List<ContentPart>();
        var index = 0;
        foreach (var part in candidate?.Content?.Parts ?? [])
        {
            if (part is null)
            {
                continue;
            }

            if (part.FunctionCall is { } call)
            {
                // A thought signature on a call is returned through the neutral model as signed reasoning.
                if (part.ThoughtSignature is { } callSignature)
                {
                    parts.Add(new ReasoningPart(string.Empty) { Signature = ReasoningSignature.Wrap(GeminiSource, callSignature) });
                }

                var arguments = call.Args?.GetRawText() ?? "{}";
                parts.Add(new ToolCallPart(call.Id ?? SynthesizedId(wire.ResponseId, index, call.Name ?? string.Empty, arguments), call.Name ?? string.Empty, arguments));
            }
            else if (part.Thought == true)
            {
                parts.Add(new ReasoningPart(part.Text ?? string.Empty)
                {
                    Signature = part.ThoughtSignature is { } thought ? ReasoningSignature.Wrap(GeminiSource, thought) : null,
                });
            }
            else if (part.Text is { } text)
            {
                if (part.ThoughtSignature is { } textSignature)
                {
                    parts.Add(new ReasoningPart(string.Empty) { Signature = ReasoningSignature.Wrap(GeminiSource, textSignature) });
                }

                parts.Add(new TextPart(text));
            }

            index++;
        }

        var searches = 0;
        if (candidate?.GroundingMetadata is { } grounding)
        {
            searches = Grounding.Apply(grounding, parts, wire.ResponseId);
        }

        return new ChatResponse
        {
            Id = wire.ResponseId ?? string.Empty,
            Model = wire.ModelVersion ?? string.Empty,
            Parts = parts,
            FinishReason = FinishReasonToCanonical(candidate?.FinishReason, parts.Any(p => p is ToolCallPart)),
            Usage = ToCanonical(wire.UsageMetadata) with { WebSearchCalls = searches },
        };
    }
}
