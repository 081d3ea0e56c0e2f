using System.Globalization;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Anthropic;

/// <summary>Anthropic Messages wire types to and from the neutral model.</summary>
internal static class MessagesMapping
{
    public const string ExtensionPrefix = "anthropic.";

    /// <summary>
    /// The tool Switchyard forces when a client asks an Anthropic upstream for structured output
    /// without native support: its input is the JSON answer, returned to the client as text.
    /// </summary>
    public const string JsonOutputTool = "switchyard_json_output";

    /// <param name="wire">The request as sent.</param>
    /// <param name="adjustments">Where clamped parameters are recorded.</param>
    /// <param name="requireMaxTokens">False for count_tokens, whose body has no max_tokens.</param>
    public static ChatRequest ToCanonical(MessagesRequestWire wire, ParamAdjustments adjustments, bool requireMaxTokens = true)
    {
        if (string.IsNullOrEmpty(wire.Model))
        {
            throw GatewayException.InvalidRequest("model: Field required", "model");
        }

        if (wire.MaxTokens is null && requireMaxTokens)
        {
            throw GatewayException.InvalidRequest("max_tokens: Field required", "max_tokens");
        }

        if (wire.Messages is null)
        {
            throw GatewayException.InvalidRequest("messages: Field required", "messages");
        }

        var messages = new List<ChatMessage>(wire.Messages.Count + 1);
        var system = SystemToCanonical(wire.System);
        if (system.Count > 0)
        {
            messages.Add(new ChatMessage(Role.System, system));
        }

        for (var i = 0; i < wire.Messages.Count; i++)
        {
            // The serializer lets JSON null into non-nullable list elements.
            var message = wire.Messages[i]
                ?? throw GatewayException.InvalidRequest($"messages.{i}: Input should be an object", $"messages.{i}");
            messages.Add(ToCanonical(message, i, i > 0 ? wire.Messages[i - 1]?.Role : null));
        }

        var maxTokens = Clamp("max_tokens", wire.MaxTokens, 1, int.MaxValue, adjustments);
        var (tools, hosted) = ToolsToCanonical(wire.Tools);
        return new ChatRequest
        {
            Model = wire.Model,
            Messages = messages,
            Tools = tools,
            HostedTools = hosted,
            ToolChoice = wire.ToolChoice?.Type switch
            {
                null => null,
                "auto" => ToolChoice.Auto,
                "any" => ToolChoice.Required,
                "none" => ToolChoice.None,
                "tool" when wire.ToolChoice.Name is { Length: > 0 } name => ToolChoice.Function(name),
                var other => throw GatewayException.InvalidRequest($"tool_choice.type: '{other}' is not one of auto, any, tool, none", "tool_choice"),
            },
            ParallelToolCalls = wire.ToolChoice?.DisableParallelToolUse is bool disable ? !disable : null,
            ResponseFormat = (wire.OutputConfig?.Format ?? wire.OutputFormat) is { Type: "json_schema", Schema: { ValueKind: JsonValueKind.Object } schema }
                ? new ResponseFormat(ResponseFormatKind.JsonSchema) { Schema = schema, Name = "output" }
                : null,
            Reasoning = wire.Thinking?.Type switch
            {
                "enabled" when wire.Thinking.BudgetTokens is int budget => new ReasoningOptions { BudgetTokens = budget, Effort = ReasoningBudget.ToEffort(budget) },
                "enabled" => throw GatewayException.InvalidRequest("thinking.budget_tokens: Field required", "thinking.budget_tokens"),
                "disabled" => new ReasoningOptions { Disabled = true },

                // Adaptive thinking leaves the budget to the model, guided by output_config.effort.
                "adaptive" => new ReasoningOptions { Effort = wire.OutputConfig?.Effort is "max" ? "xhigh" : wire.OutputConfig?.Effort ?? "medium" },
                null => null,
                var other => throw GatewayException.InvalidRequest($"thinking.type: '{other}' is not one of enabled, disabled, adaptive", "thinking.type"),
            },
            MaxOutputTokens = (int?)maxTokens,
            Temperature = Clamp("temperature", wire.Temperature, 0, 1, adjustments),
            TopP = Clamp("top_p", wire.TopP, 0, 1, adjustments),
            TopK = wire.TopK,
            StopSequences = wire.StopSequences,
            Stream = wire.Stream == true,
            User = wire.Metadata?.UserId,
            Extensions = wire.ExtensionData?.ToDictionary(p => ExtensionPrefix + p.Key, p => p.Value),
            Adjustments = adjustments,
        };
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

    private static List<ContentPart> SystemToCanonical(TextOrBlocks? system) => system switch
    {
        null => [],
        { Kind: JsonValueKind.String, Text: var text } => text is { Length: > 0 } ? [new TextPart(text)] : [],
        { Kind: JsonValueKind.Array, Blocks: { } blocks } => Checked(blocks, "system").Select((b, i) => b.Type == "text"
            ? (ContentPart)new TextPart(b.Text ?? string.Empty) { CacheControl = b.CacheControl }
            : throw GatewayException.InvalidRequest($"system.{i}.type: only text blocks are allowed in system", $"system.{i}.type")).ToList(),
        _ => throw GatewayException.InvalidRequest("system: Input should be a valid string or list of text blocks", "system"),
    };

    private static ChatMessage ToCanonical(MessageWire wire, int index, string? previousRole)
    {
        var param = string.Create(CultureInfo.InvariantCulture, $"messages.{index}");
        var role = wire.Role switch
        {
            "user" => Role.User,
            "assistant" => Role.Assistant,

            // Claude Code places system messages between turns (environment, deferred tools).
            "system" => Role.System,
            _ => throw GatewayException.InvalidRequest($"{param}.role: Input should be 'user', 'assistant' or 'system'", param + ".role"),
        };

        var parts = wire.Content switch
        {
            { Kind: JsonValueKind.String, Text: var text } => [new TextPart(text!)],
            { Kind: JsonValueKind.Array, Blocks: { } blocks } => BlocksToCanonical(blocks, param + ".content"),
            _ => throw GatewayException.InvalidRequest($"{param}.content: Input should be a valid string or list of content blocks", param + ".content"),
        };
        if (role == Role.System && parts.FindIndex(p => p is not TextPart) is var other and >= 0)
        {
            throw GatewayException.InvalidRequest($"{param}.content.{other}.type: only text blocks are allowed in a system message", $"{param}.content.{other}.type");
        }

        return new ChatMessage(role, parts);
    }

    private static List<ContentBlockWire> Blocks(JsonElement array, string param)
    {
        List<ContentBlockWire> blocks;
        try
        {
            blocks = array.Deserialize(AnthropicJsonContext.Default.ListContentBlockWire) ?? [];
        }
        catch (JsonException)
        {
            throw GatewayException.InvalidRequest($"{param}: malformed content blocks", param);
        }

        return Checked(blocks, param);
    }

    private static List<ContentBlockWire> Checked(List<ContentBlockWire> blocks, string param)
    {
        for (var i = 0; i < blocks.Count; i++)
        {
            // The serializer lets JSON null into non-nullable list elements.
            if (blocks[i] is null)
            {
                throw GatewayException.InvalidRequest($"{param}.{i}: Input should be an object", $"{param}.{i}");
            }
        }

        return blocks;
    }

    private static List<ContentPart> BlocksToCanonical(List<ContentBlockWire> blocks, string param)
    {
        Checked(blocks, param);
        var parts = new List<ContentPart>(blocks.Count);
        for (var i = 0; i < blocks.Count; i++)
        {
            parts.Add(BlockToCanonical(blocks[i], string.Create(CultureInfo.InvariantCulture, $"{param}.{i}")));
        }

        return parts;
    }

    private static ContentPart BlockToCanonical(ContentBlockWire block, string param) => block.Type switch
    {
        "text" => new TextPart(block.Text ?? string.Empty) { CacheControl = block.CacheControl, Citations = CitationsToCanonical(block.Citations, block.Text) },
        "image" => block.Source switch
        {
            { Type: "base64", Data: { } data } => new ImagePart { Base64Data = data, MediaType = block.Source.MediaType, CacheControl = block.CacheControl },
            { Type: "url", Url: { } url } => new ImagePart { Url = url, CacheControl = block.CacheControl },
            _ => throw GatewayException.InvalidRequest($"{param}.source: an image source is base64 (media_type, data) or url", param + ".source"),
        },
        "document" => new DocumentPart
        {
            Base64Data = block.Source?.Type == "base64" ? block.Source.Data : null,
            Url = block.Source?.Type == "url" ? block.Source.Url : null,
            Text = block.Source?.Type == "text" ? block.Source.Data : null,
            MediaType = block.Source?.MediaType,
            Title = block.Title,
            CacheControl = block.CacheControl,
        },
        "tool_use" => new ToolCallPart(
            block.Id ?? throw GatewayException.InvalidRequest($"{param}.id: Field required", param + ".id"),
            block.Name ?? throw GatewayException.InvalidRequest($"{param}.name: Field required", param + ".name"),
            block.Input is { } input ? input.GetRawText() : "{}") { CacheControl = block.CacheControl },
        "tool_result" => new ToolResultPart(
            block.ToolUseId ?? throw GatewayException.InvalidRequest($"{param}.tool_use_id: Field required", param + ".tool_use_id"),
            ToolResultContent(block.Content, param))
        {
            IsError = block.IsError == true,
            CacheControl = block.CacheControl,
        },
        "thinking" => new ReasoningPart(block.Thinking ?? string.Empty) { Signature = block.Signature },
        "redacted_thinking" => new ReasoningPart(string.Empty) { RedactedData = block.Data },

        // A client-side tool search names the deferred tools it found; other dialects declare
        // deferred tools outright (ToolDefinition.DeferLoading), so the name is all there is to say.
        "tool_reference" => new TextPart($"Tool '{block.ToolName}' is available.") { CacheControl = block.CacheControl },
        "server_tool_use" => ServerToolCallToCanonical(block),
        _ when block.Type?.EndsWith("_tool_result", StringComparison.Ordinal) == true && block.ToolUseId is { } serverCall
            => ServerToolResultToCanonical(block, serverCall),
        _ => throw GatewayException.InvalidRequest($"{param}.type: '{block.Type}' blocks cannot be translated for this model", param + ".type"),
    };

    private static HostedToolKind ServerToolKind(string? name) => name switch
    {
        "web_search" => HostedToolKind.WebSearch,
        "web_fetch" => HostedToolKind.WebFetch,
        "code_execution" or "bash_code_execution" or "text_editor_code_execution" => HostedToolKind.CodeExecution,
        _ => new HostedToolKind(name ?? "server_tool"),
    };

    public static ServerToolCallPart ServerToolCallToCanonical(ContentBlockWire block)
    {
        var input = block.Input is { ValueKind: JsonValueKind.Object } json ? json : (JsonElement?)null;
        var query = input is { } i && i.TryGetProperty("query", out var q) && q.ValueKind == JsonValueKind.String ? q.GetString() : null;
        return new ServerToolCallPart(block.Id ?? string.Empty, ServerToolKind(block.Name), block.Name ?? string.Empty, input?.GetRawText() ?? "{}") { Query = query };
    }

    public static ServerToolResultPart ServerToolResultToCanonical(ContentBlockWire block, string toolUseId)
    {
        var kind = block.Type == "web_search_tool_result" ? HostedToolKind.WebSearch : ServerToolKind(block.Type?[..^"_tool_result".Length]);
        List<WebSourceWire>? results = null;
        string? error = null;
        if (block.Content?.Json is { ValueKind: JsonValueKind.Array } array && kind == HostedToolKind.WebSearch)
        {
            results = array.Deserialize(AnthropicJsonContext.Default.ListWebSearchResultWire)?
                .Where(r => r is { Type: "web_search_result", Url: not null }).Select(r => new WebSourceWire(r)).ToList();
        }
        else if (block.Content?.Json is { ValueKind: JsonValueKind.Object } failure && failure.TryGetProperty("error_code", out var code))
        {
            error = code.GetString();
        }

        return new ServerToolResultPart(toolUseId, kind)
        {
            Sources = results?.Select(r => r.Source).ToList() ?? [],
            ErrorCode = error,
        };
    }

    private readonly record struct WebSourceWire(WebSearchResultWire Wire)
    {
        public WebSource Source => new(Wire.Url!)
        {
            Title = Wire.Title,
            PageAge = Wire.PageAge,
            Extensions = Wire.EncryptedContent is { } encrypted
                ? new Dictionary<string, JsonElement> { [ExtensionPrefix + "encrypted_content"] = JsonSerializer.SerializeToElement(encrypted, DialectsJsonContext.Default.String) }
                : null,
        };
    }

    /// <summary>A text block's web search citations; each supports the whole block.</summary>
    public static List<Citation>? CitationsToCanonical(JsonElement? citations, string? text)
    {
        if (citations is not { ValueKind: JsonValueKind.Array } array)
        {
            return null;
        }

        List<CitationWire>? wires;
        try
        {
            wires = array.Deserialize(AnthropicJsonContext.Default.ListCitationWire);
        }
        catch (JsonException)
        {
            return null;
        }

        var result = wires?.Where(c => c is { Type: "web_search_result_location", Url: not null })
            .Select(c => CitationToCanonical(c, text?.Length ?? 0)).ToList();
        return result is { Count: > 0 } ? result : null;
    }

    public static Citation CitationToCanonical(CitationWire wire, int textLength) => new(wire.Url!)
    {
        Title = wire.Title,
        StartIndex = 0,
        EndIndex = textLength,
        CitedText = wire.CitedText,
        Extensions = wire.EncryptedIndex is { } index
            ? new Dictionary<string, JsonElement> { [ExtensionPrefix + "encrypted_index"] = JsonSerializer.SerializeToElement(index, DialectsJsonContext.Default.String) }
            : null,
    };

    private static List<ContentPart> ToolResultContent(TextOrJson? content, string param) => content switch
    {
        null => [],
        { Text: { } text } => [new TextPart(text)],
        { Json: { ValueKind: JsonValueKind.Array } blocks } => BlocksToCanonical(Blocks(blocks, param + ".content"), param + ".content"),
        _ => throw GatewayException.InvalidRequest($"{param}.content: Input should be a valid string or list of blocks", param + ".content"),
    };

    private static (List<ToolDefinition>? Tools, List<HostedTool>? Hosted) ToolsToCanonical(List<ToolWire>? tools)
    {
        if (tools is null)
        {
            return (null, null);
        }

        var result = new List<ToolDefinition>(tools.Count);
        List<HostedTool>? hosted = null;
        for (var i = 0; i < tools.Count; i++)
        {
            var tool = tools[i] ?? throw GatewayException.InvalidRequest($"tools.{i}: Input should be an object", $"tools.{i}");
            if (AnthropicDefinedTools.ToCanonical(tool) is { } defined)
            {
                result.Add(defined);
                continue;
            }

            if (tool.Type is not (null or "custom"))
            {
                (hosted ??= []).Add(HostedToCanonical(tool, $"tools.{i}"));
                continue;
            }

            result.Add(new ToolDefinition(tool.Name ?? throw GatewayException.InvalidRequest($"tools.{i}.name: Field required", $"tools.{i}.name"))
            {
                Description = tool.Description,
                Parameters = tool.InputSchema,
                CacheControl = tool.CacheControl,
                DeferLoading = tool.DeferLoading == true,
            });
        }

        return (result, hosted);
    }

    /// <summary>Server tools and Anthropic-defined client tools (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/overview).</summary>
    private static HostedTool HostedToCanonical(ToolWire tool, string param)
    {
        var type = tool.Type!;
        var kind = type switch
        {
            _ when type.StartsWith("web_search_", StringComparison.Ordinal) => HostedToolKind.WebSearch,
            _ when type.StartsWith("web_fetch_", StringComparison.Ordinal) => HostedToolKind.WebFetch,
            _ when type.StartsWith("code_execution_", StringComparison.Ordinal) => HostedToolKind.CodeExecution,
            _ when type.StartsWith("computer_", StringComparison.Ordinal) => HostedToolKind.ComputerUse,
            _ when type.StartsWith("bash_", StringComparison.Ordinal) || type.StartsWith("text_editor_", StringComparison.Ordinal)
                || type.StartsWith("memory_", StringComparison.Ordinal) => HostedToolKind.ProviderDefined,
            "mcp_toolset" => HostedToolKind.Mcp,
            _ => new HostedToolKind(type),
        };

        return new HostedTool(kind)
        {
            ClientType = type,
            Param = param,
            Name = tool.Name,

            // Tool search only finds deferred tools, which other dialects declare outright.
            Optional = tool.DeferLoading == true || type.StartsWith("tool_search_tool_", StringComparison.Ordinal),
            Search = kind == HostedToolKind.WebSearch ? new WebSearchOptions
            {
                MaxUses = tool.MaxUses,
                AllowedDomains = tool.AllowedDomains,
                BlockedDomains = tool.BlockedDomains,
                UserLocation = tool.UserLocation is { } location
                    ? new UserLocation { City = location.City, Region = location.Region, Country = location.Country, Timezone = location.Timezone }
                    : null,
            } : null,
            Extensions = new Dictionary<string, JsonElement> { [ExtensionPrefix + "tool"] = JsonSerializer.SerializeToElement(tool, AnthropicJsonContext.Default.ToolWire) },
        };
    }

    public static FinishReason FinishReasonToCanonical(string? reason) => reason switch
    {
        null or "end_turn" or "pause_turn" => FinishReason.Stop,
        "max_tokens" or "model_context_window_exceeded" => FinishReason.Length,
        "stop_sequence" => FinishReason.StopSequence,
        "tool_use" => FinishReason.ToolCalls,
        "refusal" => FinishReason.ContentFilter,
        _ => FinishReason.Other,
    };

    public static string FinishReasonFromCanonical(FinishReason reason) => reason switch
    {
        FinishReason.Length => "max_tokens",
        FinishReason.StopSequence => "stop_sequence",
        FinishReason.ToolCalls => "tool_use",
        FinishReason.ContentFilter or FinishReason.Refusal => "refusal",
        _ => "end_turn",
    };

    /// <summary>Anthropic's convention: input_tokens excludes cache reads and writes; output includes thinking.</summary>
    public static Usage ToCanonical(UsageWire? usage) => usage is null ? Usage.Empty : new Usage
    {
        InputTokens = usage.InputTokens ?? 0,
        CacheReadTokens = usage.CacheReadInputTokens ?? 0,
        CacheWriteTokens = usage.CacheCreationInputTokens ?? 0,
        OutputTokens = usage.OutputTokens ?? 0,
        WebSearchCalls = usage.ServerToolUse?.WebSearchRequests ?? 0,
    };

    public static ChatResponse ToCanonical(MessageResponseWire wire)
    {
        var parts = new List<ContentPart>();
        foreach (var block in wire.Content ?? [])
        {
            switch (block?.Type)
            {
                case "text":
                    parts.Add(new TextPart(block.Text ?? string.Empty) { Citations = CitationsToCanonical(block.Citations, block.Text) });
                    break;
                case "server_tool_use":
                    parts.Add(ServerToolCallToCanonical(block));
                    break;
                case not null when block.Type.EndsWith("_tool_result", StringComparison.Ordinal) && block.ToolUseId is { } serverCall:
                    parts.Add(ServerToolResultToCanonical(block, serverCall));
                    break;
                case "thinking":
                    parts.Add(new ReasoningPart(block.Thinking ?? string.Empty) { Signature = block.Signature });
                    break;
                case "redacted_thinking":
                    parts.Add(new ReasoningPart(string.Empty) { RedactedData = block.Data });
                    break;
                case "tool_use" when block.Name == JsonOutputTool:
                    parts.Add(new TextPart(block.Input?.GetRawText() ?? "{}"));
                    break;
                case "tool_use":
                    parts.Add(new ToolCallPart(block.Id ?? string.Empty, block.Name ?? string.Empty, block.Input?.GetRawText() ?? "{}"));
                    break;
            }
        }

        var forcedJson = wire.Content?.Any(b => b?.Type == "tool_use" && b.Name == JsonOutputTool) == true;
        return new ChatResponse
        {
            Id = wire.Id ?? string.Empty,
            Model = wire.Model ?? string.Empty,
            Parts = parts,
            FinishReason = forcedJson ? FinishReason.Stop : FinishReasonToCanonical(wire.StopReason),
            Usage = ToCanonical(wire.Usage),
        };
    }
}
