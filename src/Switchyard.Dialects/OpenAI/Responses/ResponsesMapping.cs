using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.OpenAI.Responses;

/// <summary>Responses API wire types to and from the neutral model.</summary>
internal static class ResponsesMapping
{
    public const string ExtensionPrefix = "openai.responses.";

    /// <summary>Where a reasoning item's id travels, so it can be sent back with its encrypted content.</summary>
    public const string ItemIdKey = ExtensionPrefix + "id";

    /// <summary>The source name of Switchyard signatures that carry OpenAI's encrypted reasoning (item id and content).</summary>
    public const string EncryptedReasoningSource = "openai";

    public static string EncryptedReasoningSignature(string itemId, string encryptedContent) =>
        ReasoningSignature.Wrap(EncryptedReasoningSource, itemId + "\n" + encryptedContent);

    /// <summary>
    /// What a reasoning item's <c>encrypted_content</c> carries to a Responses client: OpenAI's own
    /// content, or the signature another provider's reasoning needs on the next turn (Anthropic's
    /// thinking signature, a Gemini thought signature) as a Switchyard signature, so a stored or
    /// resent conversation keeps it.
    /// </summary>
    public static string? CarriedContent(string? encryptedContent, string? signature) =>
        encryptedContent ?? signature switch
        {
            null => null,
            _ when TryReadEncryptedReasoning(signature, out _, out var content) => content,
            _ when ReasoningSignature.IsSwitchyard(signature) => signature,
            _ => ReasoningSignature.Wrap(ReasoningSignature.BareSource, signature),
        };

    public static bool TryReadEncryptedReasoning(string? signature, out string itemId, out string encryptedContent)
    {
        itemId = encryptedContent = string.Empty;
        if (!ReasoningSignature.TryUnwrap(signature, out var source, out var original) || source != EncryptedReasoningSource || original is null)
        {
            return false;
        }

        var newline = original.IndexOf('\n', StringComparison.Ordinal);
        if (newline < 0)
        {
            return false;
        }

        itemId = original[..newline];
        encryptedContent = original[(newline + 1)..];
        return true;
    }

    public static ChatRequest ToCanonical(ResponsesRequestWire wire, ParamAdjustments adjustments)
    {
        if (string.IsNullOrEmpty(wire.Model))
        {
            throw GatewayException.InvalidRequest("'model' is required.", "model");
        }

        var messages = new List<ChatMessage>();
        if (wire.Instructions is { Length: > 0 } instructions)
        {
            messages.Add(ChatMessage.FromText(Role.Developer, instructions));
        }

        switch (wire.Input)
        {
            case { ValueKind: JsonValueKind.String } text:
                messages.Add(ChatMessage.FromText(Role.User, text.GetString()!));
                break;
            case { ValueKind: JsonValueKind.Array } items:
                messages.AddRange(ItemsToCanonical(Deserialize(items, ResponsesJsonContext.Default.ListItemWire, "input")));
                break;
            default:
                throw GatewayException.InvalidRequest("'input' must be a string or an array of items.", "input");
        }

        var (tools, hosted) = ToolsToCanonical(wire.Tools);
        return new ChatRequest
        {
            Model = wire.Model,
            Messages = messages,
            Tools = tools,
            HostedTools = hosted,
            PromptCacheKey = wire.PromptCacheKey,
            ToolChoice = ToolChoiceToCanonical(wire.ToolChoice),
            ParallelToolCalls = wire.ParallelToolCalls,
            ResponseFormat = wire.Text?.Format switch
            {
                null or { Type: "text" } => null,
                { Type: "json_object" } => new ResponseFormat(ResponseFormatKind.JsonObject),
                { Type: "json_schema", Schema: { ValueKind: JsonValueKind.Object } schema } format => new ResponseFormat(ResponseFormatKind.JsonSchema)
                {
                    Name = format.Name,
                    Description = format.Description,
                    Schema = schema,
                    Strict = format.Strict,
                },
                { Type: "json_schema" } => throw new GatewayException(new GatewayError(GatewayErrorKind.Unprocessable, "'text.format.schema' must be a JSON Schema object.") { Param = "text.format.schema" }),
                var other => throw GatewayException.InvalidRequest($"'text.format.type' '{other.Type}' is not one of text, json_object, json_schema.", "text.format.type"),
            },
            Reasoning = wire.Reasoning is { } reasoning && (reasoning.Effort is not null || reasoning.Summary is not null)
                ? new ReasoningOptions { Effort = reasoning.Effort, Summary = reasoning.Summary, Disabled = reasoning.Effort == "none" }
                : null,
            MaxOutputTokens = (int?)ChatCompletionsClamp("max_output_tokens", wire.MaxOutputTokens, 1, int.MaxValue, adjustments),
            Temperature = ChatCompletionsClamp("temperature", wire.Temperature, 0, 2, adjustments),
            TopP = ChatCompletionsClamp("top_p", wire.TopP, 0, 1, adjustments),
            Stream = wire.Stream == true,
            User = wire.User,
            Metadata = wire.Metadata is { ValueKind: JsonValueKind.Object } metadata ? metadata : null,
            Extensions = Extensions(wire),
            Adjustments = adjustments,
        };
    }

    /// <summary>Fields with no neutral slot, top-level and inside <c>text</c> (<c>verbosity</c>), for reporting or passthrough.</summary>
    private static Dictionary<string, JsonElement>? Extensions(ResponsesRequestWire wire)
    {
        var extensions = wire.ExtensionData?.ToDictionary(p => ExtensionPrefix + p.Key, p => p.Value);
        foreach (var (name, value) in wire.Text?.ExtensionData ?? [])
        {
            (extensions ??= [])[ExtensionPrefix + "text." + name] = value;
        }

        return extensions;
    }

    private static double? ChatCompletionsClamp(string name, double? value, double min, double max, ParamAdjustments adjustments)
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

    private static T Deserialize<T>(JsonElement element, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string param)
    {
        try
        {
            return element.Deserialize(type) ?? throw GatewayException.InvalidRequest($"'{param}' is malformed.", param);
        }
        catch (JsonException exception)
        {
            throw GatewayException.InvalidRequest($"'{param}' is malformed: {Json.JsonErrors.Describe(exception)}", param);
        }
    }

    /// <summary>Items to messages: assistant output (text, calls, reasoning) in a row becomes one assistant message.</summary>
    public static List<ChatMessage> ItemsToCanonical(List<ItemWire> items)
    {
        var messages = new List<ChatMessage>();
        List<ContentPart>? assistant = null;
        void FlushAssistant()
        {
            if (assistant is { Count: > 0 })
            {
                messages.Add(new ChatMessage(Role.Assistant, assistant));
            }

            assistant = null;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i] ?? throw GatewayException.InvalidRequest($"'input[{i}]' must be an object.", $"input[{i}]");
            var param = $"input[{i}]";
            switch (item.Type ?? (item.Role is not null ? "message" : null))
            {
                case "message" when item.Role == "assistant":
                    (assistant ??= []).AddRange(ContentToCanonical(item.Content, param));
                    break;
                case "message":
                    FlushAssistant();
                    var role = item.Role switch
                    {
                        "user" => Role.User,
                        "system" => Role.System,
                        "developer" => Role.Developer,
                        _ => throw GatewayException.InvalidRequest($"'{param}.role' must be user, assistant, system or developer.", param + ".role"),
                    };
                    messages.Add(new ChatMessage(role, ContentToCanonical(item.Content, param)));
                    break;
                case "function_call":
                    (assistant ??= []).Add(new ToolCallPart(
                        item.CallId ?? throw GatewayException.InvalidRequest($"'{param}.call_id' is required.", param + ".call_id"),
                        item.Name ?? throw GatewayException.InvalidRequest($"'{param}.name' is required.", param + ".name"),
                        item.Arguments ?? "{}") { Namespace = item.Namespace });
                    break;
                case "custom_tool_call":
                    (assistant ??= []).Add(ToolCallPart.FreeForm(
                        item.CallId ?? throw GatewayException.InvalidRequest($"'{param}.call_id' is required.", param + ".call_id"),
                        item.Name ?? throw GatewayException.InvalidRequest($"'{param}.name' is required.", param + ".name"),
                        item.Input ?? string.Empty) with { Namespace = item.Namespace });
                    break;
                case "web_search_call":
                    // The provider's own search: kept for the record, never sent upstream (see UpstreamAdapter).
                    (assistant ??= []).Add(WebSearchCallToCanonical(item));
                    break;
                case "reasoning":
                    // A Switchyard signature in encrypted_content is another provider's reasoning coming back.
                    var carried = ReasoningSignature.IsSwitchyard(item.EncryptedContent);
                    (assistant ??= []).Add(new ReasoningPart(string.Join("\n\n", (item.Summary ?? []).Select(s => s?.Text ?? string.Empty)))
                    {
                        EncryptedContent = carried ? null : item.EncryptedContent,
                        Signature = carried ? item.EncryptedContent : null,
                        Extensions = item.Id is { } id ? new Dictionary<string, JsonElement> { [ItemIdKey] = JsonSerializer.SerializeToElement(id, DialectsJsonContext.Default.String) } : null,
                    });
                    break;
                case "function_call_output" or "custom_tool_call_output":
                    FlushAssistant();
                    var output = item.Output switch
                    {
                        { ValueKind: JsonValueKind.String } text => [new TextPart(text.GetString()!)],
                        { ValueKind: JsonValueKind.Array } parts => ContentToCanonical(parts, param + ".output"),
                        _ => new List<ContentPart>(),
                    };
                    messages.Add(new ChatMessage(Role.Tool, [new ToolResultPart(
                        item.CallId ?? throw GatewayException.InvalidRequest($"'{param}.call_id' is required.", param + ".call_id"), output)]));
                    break;
                case "item_reference":
                    throw GatewayException.InvalidRequest($"'{param}': item references need the response stored upstream; send the items themselves or use previous_response_id.", param);
                default:
                    throw GatewayException.InvalidRequest($"'{param}.type' '{item.Type}' is not supported for this model.", param + ".type");
            }
        }

        FlushAssistant();
        return messages;
    }

    private static List<ContentPart> ContentToCanonical(JsonElement? content, string param) => content switch
    {
        null or { ValueKind: JsonValueKind.Null } => [],
        { ValueKind: JsonValueKind.String } text => [new TextPart(text.GetString()!)],
        { ValueKind: JsonValueKind.Array } array => Deserialize(array, ResponsesJsonContext.Default.ListResponsesContentWire, param + ".content")
            .Select((part, index) => PartToCanonical(part, $"{param}.content[{index}]")).ToList(),
        _ => throw GatewayException.InvalidRequest($"'{param}.content' must be a string or an array.", param + ".content"),
    };

    private static ContentPart PartToCanonical(ResponsesContentWire? part, string param) => part?.Type switch
    {
        "input_text" or "output_text" or "text" => new TextPart(part.Text ?? string.Empty) { Citations = CitationsToCanonical(part.Annotations), CacheControl = CacheControlOf(part.ExtensionData) },
        "refusal" => new RefusalPart(part.Refusal ?? string.Empty),
        "input_image" when part.ImageUrl is { Length: > 0 } url => DataUrl.TryParse(url, out var mediaType, out var data)
            ? new ImagePart { Base64Data = data, MediaType = mediaType, Detail = part.Detail, CacheControl = CacheControlOf(part.ExtensionData) }
            : new ImagePart { Url = url, Detail = part.Detail, CacheControl = CacheControlOf(part.ExtensionData) },
        "input_file" => new DocumentPart
        {
            Base64Data = DataUrl.TryParse(part.FileData, out var fileType, out var fileData) ? fileData : part.FileData,
            MediaType = fileType,
            Url = part.FileUrl,
            FileName = part.Filename,
            CacheControl = CacheControlOf(part.ExtensionData),
        },
        _ => throw GatewayException.InvalidRequest($"'{param}.type' '{part?.Type}' is not a supported content type here.", param + ".type"),
    };

    /// <summary>Function, custom and namespaced tools to neutral tools; hosted tools to <see cref="HostedTool"/>s.</summary>
    private static (List<ToolDefinition>? Tools, List<HostedTool>? Hosted) ToolsToCanonical(List<ResponsesToolWire>? tools)
    {
        if (tools is null)
        {
            return (null, null);
        }

        var functions = new List<ToolDefinition>(tools.Count);
        List<HostedTool>? hosted = null;
        for (var i = 0; i < tools.Count; i++)
        {
            var tool = tools[i] ?? throw GatewayException.InvalidRequest($"'tools[{i}]' must be an object.", $"tools[{i}]");
            var param = $"tools[{i}]";
            switch (tool.Type)
            {
                case "function" or "custom":
                    functions.Add(ToolToCanonical(tool, param, null, null));
                    break;
                case "namespace":
                    var group = tool.Name ?? throw GatewayException.InvalidRequest($"'{param}.name' is required.", param + ".name");
                    var members = tool.Tools ?? throw GatewayException.InvalidRequest($"'{param}.tools' is required.", param + ".tools");
                    for (var j = 0; j < members.Count; j++)
                    {
                        var member = members[j];
                        var memberParam = $"{param}.tools[{j}]";
                        if (member?.Type is not ("function" or "custom"))
                        {
                            throw GatewayException.InvalidRequest($"'{memberParam}.type' must be function or custom.", memberParam + ".type");
                        }

                        functions.Add(ToolToCanonical(member, memberParam, group, tool.Description));
                    }

                    break;
                case null:
                    throw GatewayException.InvalidRequest($"'{param}.type' is required.", param + ".type");
                default:
                    (hosted ??= []).Add(HostedToCanonical(tool, param));
                    break;
            }
        }

        return (functions, hosted);
    }

    private static ToolDefinition ToolToCanonical(ResponsesToolWire tool, string param, string? group, string? groupDescription) =>
        new(tool.Name ?? throw GatewayException.InvalidRequest($"'{param}.name' is required.", param + ".name"))
        {
            Description = tool.Description,
            Parameters = tool.Type == "function" ? tool.Parameters : null,
            Strict = tool.Strict,
            Namespace = group,
            NamespaceDescription = groupDescription,
            DeferLoading = tool.DeferLoading == true,
            FreeForm = tool.Type != "custom" ? null : tool.Format switch
            {
                null or { Type: "text" } => FreeFormInput.Text,
                { Type: "grammar", Definition: { } definition } format => new FreeFormInput { GrammarSyntax = format.Syntax, Grammar = definition },
                _ => throw GatewayException.InvalidRequest($"'{param}.format' must be {{\"type\":\"text\"}} or a grammar with a definition.", param + ".format"),
            },
        };

    /// <summary>The hosted tool types of https://platform.openai.com/docs/api-reference/responses/create#responses-create-tools.</summary>
    private static HostedTool HostedToCanonical(ResponsesToolWire tool, string param)
    {
        var type = tool.Type!;
        var kind = type switch
        {
            _ when type.StartsWith("web_search", StringComparison.Ordinal) => HostedToolKind.WebSearch,
            "file_search" => HostedToolKind.FileSearch,
            "code_interpreter" => HostedToolKind.CodeExecution,
            "computer" or "computer_use_preview" or "computer_use" => HostedToolKind.ComputerUse,
            "image_generation" => HostedToolKind.ImageGeneration,
            "mcp" => HostedToolKind.Mcp,
            "local_shell" or "shell" or "apply_patch" => HostedToolKind.ProviderDefined,
            _ => new HostedToolKind(type),
        };

        var search = kind == HostedToolKind.WebSearch ? new WebSearchOptions
        {
            AllowedDomains = tool.Filters?.AllowedDomains,
            ContextSize = tool.SearchContextSize,
            CacheOnly = tool.ExternalWebAccess == false,
            UserLocation = tool.UserLocation is { } location
                ? new UserLocation { City = location.City, Region = location.Region, Country = location.Country, Timezone = location.Timezone }
                : null,
        } : null;

        return new HostedTool(kind)
        {
            ClientType = type,
            Param = param,
            Search = search,

            // Tool search only finds deferred tools, which other dialects declare outright; a
            // cache-only search has no cache to read elsewhere; deferred tools may go unseen.
            Optional = tool.DeferLoading == true || search?.CacheOnly == true || type is "tool_search" or "programmatic_tool_calling",
            Extensions = new Dictionary<string, JsonElement> { [ExtensionPrefix + "tool"] = JsonSerializer.SerializeToElement(tool, ResponsesJsonContext.Default.ResponsesToolWire) },
        };
    }

    private static ToolChoice? ToolChoiceToCanonical(JsonElement? choice) => choice switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.String } word => word.GetString() switch
        {
            "auto" => ToolChoice.Auto,
            "none" => ToolChoice.None,
            "required" => ToolChoice.Required,
            var other => throw GatewayException.InvalidRequest($"'tool_choice' '{other}' is not one of auto, none, required.", "tool_choice"),
        },
        { ValueKind: JsonValueKind.Object } limited when limited.TryGetProperty("type", out var type) && type.ValueEquals("allowed_tools")
            => OpenAI.Chat.ChatCompletionsMapping.AllowedToCanonical(limited, "tool_choice", static tool => tool),
        { ValueKind: JsonValueKind.Object } named when named.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
            => ToolChoice.Function(name.GetString()!),
        _ => throw GatewayException.InvalidRequest("'tool_choice' must be auto, none, required or {\"type\":\"function\",\"name\":…}.", "tool_choice"),
    };

    /// <summary>Responses' convention (like Chat Completions): input includes cached, output includes reasoning.</summary>
    public static Usage ToCanonical(ResponsesUsageWire? usage) => usage is null
        ? Usage.Empty
        : Usage.FromInclusive(usage.InputTokens, usage.InputTokensDetails?.CachedTokens ?? 0, usage.OutputTokens, usage.OutputTokensDetails?.ReasoningTokens ?? 0);

    public static ChatResponse ToCanonical(ResponseObjectWire wire)
    {
        var parts = new List<ContentPart>();
        var searches = 0;
        foreach (var item in wire.Output ?? [])
        {
            switch (item?.Type)
            {
                case "message":
                    parts.AddRange(ContentToCanonical(item.Content, "output"));
                    break;
                case "function_call":
                    parts.Add(new ToolCallPart(item.CallId ?? item.Id ?? string.Empty, item.Name ?? string.Empty, item.Arguments ?? "{}") { Namespace = item.Namespace });
                    break;
                case "custom_tool_call":
                    parts.Add(ToolCallPart.FreeForm(item.CallId ?? item.Id ?? string.Empty, item.Name ?? string.Empty, item.Input ?? string.Empty) with { Namespace = item.Namespace });
                    break;
                case "web_search_call":
                    parts.Add(WebSearchCallToCanonical(item));
                    searches++;
                    break;
                case "reasoning":
                    parts.Add(new ReasoningPart(string.Join("\n\n", (item.Summary ?? []).Select(s => s?.Text ?? string.Empty)))
                    {
                        EncryptedContent = item.EncryptedContent,
                        Signature = item is { Id: { } itemId, EncryptedContent: { } encrypted } ? EncryptedReasoningSignature(itemId, encrypted) : null,
                        Extensions = item.Id is { } id ? new Dictionary<string, JsonElement> { [ItemIdKey] = JsonSerializer.SerializeToElement(id, DialectsJsonContext.Default.String) } : null,
                    });
                    break;
            }
        }

        return new ChatResponse
        {
            Id = wire.Id ?? string.Empty,
            Model = wire.Model ?? string.Empty,
            Created = UnixSeconds.ToTime(wire.CreatedAt),
            Parts = parts,
            FinishReason = FinishReasonToCanonical(wire.Status, wire.IncompleteDetails?.Reason, parts.Any(p => p is ToolCallPart)),
            Usage = ToCanonical(wire.Usage) with { WebSearchCalls = searches },
        };
    }

    /// <summary>Hosted web searches are billed per call and reported as output items, not in usage.</summary>
    public static long WebSearchCalls(ResponseObjectWire wire) => wire.Output?.Count(item => item.Type == "web_search_call") ?? 0;

    /// <summary>A <c>web_search_call</c> item as the provider-run call it records (its query, where the action has one).</summary>
    public static ServerToolCallPart WebSearchCallToCanonical(ItemWire item)
    {
        var query = item.Action is { ValueKind: JsonValueKind.Object } action && action.TryGetProperty("query", out var q) && q.ValueKind == JsonValueKind.String
            ? q.GetString()
            : null;
        var input = query is null ? "{}" : "{\"query\":" + JsonSerializer.Serialize(query, DialectsJsonContext.Default.String) + "}";
        return new ServerToolCallPart(item.Id ?? string.Empty, HostedToolKind.WebSearch, "web_search", input) { Query = query };
    }

    private static List<Citation>? CitationsToCanonical(List<AnnotationWire>? annotations) =>
        annotations?.Where(a => a is { Type: "url_citation", Url: not null }).Select(CitationToCanonical).ToList() is { Count: > 0 } citations ? citations : null;

    public static Citation CitationToCanonical(AnnotationWire annotation) => new(annotation.Url!)
    {
        Title = annotation.Title,
        StartIndex = annotation.StartIndex,
        EndIndex = annotation.EndIndex,
    };

    /// <summary>Anthropic's <c>cache_control</c> on a content part, as LiteLLM lets OpenAI-shaped clients send it.</summary>
    public static JsonElement? CacheControlOf(Dictionary<string, JsonElement>? extensionData) =>
        extensionData?.TryGetValue("cache_control", out var cacheControl) == true && cacheControl.ValueKind == JsonValueKind.Object ? cacheControl : null;

    public static FinishReason FinishReasonToCanonical(string? status, string? incompleteReason, bool calledTools) => (status, incompleteReason) switch
    {
        ("incomplete", "content_filter") => FinishReason.ContentFilter,
        ("incomplete", _) => FinishReason.Length,
        _ when calledTools => FinishReason.ToolCalls,
        _ => FinishReason.Stop,
    };
}
