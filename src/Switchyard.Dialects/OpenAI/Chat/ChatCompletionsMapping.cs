using System.Globalization;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.OpenAI.Chat;

/// <summary>Chat Completions wire types to and from the neutral model.</summary>
internal static class ChatCompletionsMapping
{
    public const string ExtensionPrefix = "openai.chat.";

    public static ChatRequest ToCanonical(ChatCompletionRequestWire wire, ParamAdjustments adjustments)
    {
        if (string.IsNullOrEmpty(wire.Model))
        {
            throw GatewayException.InvalidRequest("'model' is required.", "model");
        }

        if (wire.Messages is not { Count: > 0 })
        {
            throw GatewayException.InvalidRequest("'messages' must be a non-empty array.", "messages");
        }

        var messages = new List<ChatMessage>(wire.Messages.Count);
        for (var i = 0; i < wire.Messages.Count; i++)
        {
            // The serializer lets JSON null into non-nullable list elements.
            var message = wire.Messages[i]
                ?? throw GatewayException.InvalidRequest($"'messages[{i}]' must be an object.", $"messages[{i}]");
            messages.Add(ToCanonical(message, i));
        }

        var maxTokens = ChatCompletionsParameters.Clamp("max_completion_tokens", wire.MaxCompletionTokens, adjustments)
            ?? ChatCompletionsParameters.Clamp("max_tokens", wire.MaxTokens, adjustments);
        if (ChatCompletionsParameters.Clamp("n", wire.N, adjustments) is > 1)
        {
            // Translated answers have one choice; a chat upstream is reached by passthrough, which keeps n.
            adjustments.Dropped("n", "one choice is returned when the request is translated");
        }

        return new ChatRequest
        {
            Model = wire.Model,
            Messages = messages,
            Tools = wire.Tools?.Select(ToCanonical).ToList(),
            HostedTools = HostedToCanonical(wire.WebSearchOptions),
            PromptCacheKey = wire.PromptCacheKey,
            ToolChoice = ToolChoiceToCanonical(wire.ToolChoice),
            ParallelToolCalls = wire.ParallelToolCalls,
            ResponseFormat = ToCanonical(wire.ResponseFormat),
            Reasoning = wire.ReasoningEffort is { } effort
                ? new ReasoningOptions { Effort = effort, Disabled = effort == "none" }
                : null,
            MaxOutputTokens = maxTokens is double max ? (int)max : null,
            Temperature = ChatCompletionsParameters.Clamp("temperature", wire.Temperature, adjustments),
            TopP = ChatCompletionsParameters.Clamp("top_p", wire.TopP, adjustments),
            PresencePenalty = ChatCompletionsParameters.Clamp("presence_penalty", wire.PresencePenalty, adjustments),
            FrequencyPenalty = ChatCompletionsParameters.Clamp("frequency_penalty", wire.FrequencyPenalty, adjustments),
            Seed = wire.Seed,
            StopSequences = StopToCanonical(wire.Stop),
            Stream = wire.Stream == true,
            StreamIncludeUsage = wire.StreamOptions?.IncludeUsage == true,
            User = wire.User,
            Metadata = wire.Metadata is { ValueKind: JsonValueKind.Object } metadata ? metadata : null,
            Extensions = wire.ExtensionData?.ToDictionary(p => ExtensionPrefix + p.Key, p => p.Value),
            Adjustments = adjustments,
        };
    }

    private static ChatMessage ToCanonical(ChatMessageWire wire, int index)
    {
        var param = string.Create(CultureInfo.InvariantCulture, $"messages[{index}]");
        var role = wire.Role switch
        {
            null => throw GatewayException.InvalidRequest($"'{param}.role' is required.", param + ".role"),
            "function" => Role.Tool,
            _ => new Role(wire.Role),
        };

        var parts = new List<ContentPart>();
        if (wire.ThinkingBlocks is { Count: > 0 } blocks)
        {
            // Signed blocks carry what reasoning_content repeats as plain text; they win.
            parts.AddRange(blocks.Where(b => b is not null).Select(b => b.Type == "redacted_thinking"
                ? new ReasoningPart(string.Empty) { RedactedData = b.Data }
                : new ReasoningPart(b.Thinking ?? string.Empty) { Signature = b.Signature }));
        }
        else if (wire.ReasoningContent is { Length: > 0 } reasoning)
        {
            parts.Add(new ReasoningPart(reasoning));
        }

        if (role == Role.Tool)
        {
            var content = ContentToCanonical(wire.Content, param);
            var id = wire.ToolCallId ?? wire.Name
                ?? throw GatewayException.InvalidRequest($"'{param}.tool_call_id' is required for tool messages.", param + ".tool_call_id");
            parts.Add(new ToolResultPart(id, content) { Name = wire.Name });
            return new ChatMessage(role, parts);
        }

        parts.AddRange(ContentToCanonical(wire.Content, param));

        // LiteLLM also takes cache_control on a message whose content is a string: it marks that text.
        if (Responses.ResponsesMapping.CacheControlOf(wire.ExtensionData) is { } messageCache && parts.Count > 0 && parts[^1] is TextPart { CacheControl: null } last)
        {
            parts[^1] = last with { CacheControl = messageCache };
        }

        if (wire.Refusal is { Length: > 0 } refusal)
        {
            parts.Add(new RefusalPart(refusal));
        }

        if (wire.ToolCalls is { } toolCalls)
        {
            for (var i = 0; i < toolCalls.Count; i++)
            {
                var call = toolCalls[i];
                if (call?.Custom is { Name: { } customName } custom)
                {
                    parts.Add(ToolCallPart.FreeForm(call.Id ?? string.Empty, customName, custom.Input ?? string.Empty));
                    continue;
                }

                var name = call?.Function?.Name
                    ?? throw GatewayException.InvalidRequest($"'{param}.tool_calls[{i}].function.name' is required.", $"{param}.tool_calls[{i}].function.name");
                parts.Add(new ToolCallPart(call.Id ?? string.Empty, name, call.Function.Arguments ?? "{}"));
            }
        }

        return new ChatMessage(role, parts)
        {
            Name = wire.Name,
            Extensions = wire.ExtensionData is { Count: > 0 } ? wire.ExtensionData : null,
        };
    }

    private static List<ContentPart> ContentToCanonical(TextOrJson? content, string param)
    {
        switch (content)
        {
            case null:
                return [];
            case { Text: { } text }:
                return [new TextPart(text)];
            case { Json: { ValueKind: JsonValueKind.Array } array }:
                var wireParts = array.Deserialize(ChatCompletionsJsonContext.Default.ListContentPartWire) ?? [];
                var parts = new List<ContentPart>(wireParts.Count);
                for (var i = 0; i < wireParts.Count; i++)
                {
                    var part = wireParts[i]
                        ?? throw GatewayException.InvalidRequest($"'{param}.content[{i}]' must be an object.", $"{param}.content[{i}]");
                    parts.Add(ContentPartToCanonical(part, $"{param}.content[{i}]"));
                }

                return parts;
            default:
                throw GatewayException.InvalidRequest($"'{param}.content' must be a string or an array of content parts.", param + ".content");
        }
    }

    private static ContentPart ContentPartToCanonical(ContentPartWire part, string param) => part.Type switch
    {
        "text" or "input_text" => new TextPart(part.Text ?? string.Empty) { CacheControl = Responses.ResponsesMapping.CacheControlOf(part.ExtensionData) },
        "refusal" => new RefusalPart(part.Refusal ?? string.Empty),
        "image_url" => ImageToCanonical(part.ImageUrl?.Url, part.ImageUrl?.Detail, param) with { CacheControl = Responses.ResponsesMapping.CacheControlOf(part.ExtensionData) },
        "file" => new DocumentPart
        {
            Base64Data = DataUrl.TryParse(part.File?.FileData, out var mediaType, out var data) ? data : part.File?.FileData,
            MediaType = mediaType,
            FileName = part.File?.Filename,
            CacheControl = Responses.ResponsesMapping.CacheControlOf(part.ExtensionData),
        },
        _ => throw GatewayException.InvalidRequest($"'{param}.type' '{part.Type}' is not a supported content part type.", param + ".type"),
    };

    private static ImagePart ImageToCanonical(string? url, string? detail, string param)
    {
        if (string.IsNullOrEmpty(url))
        {
            throw GatewayException.InvalidRequest($"'{param}.image_url.url' is required.", param + ".image_url.url");
        }

        return DataUrl.TryParse(url, out var mediaType, out var data)
            ? new ImagePart { Base64Data = data, MediaType = mediaType, Detail = detail }
            : new ImagePart { Url = url, Detail = detail };
    }

    private static ToolDefinition ToCanonical(ChatToolWire tool)
    {
        if (tool?.Type == "custom" && tool.Custom?.Name is { Length: > 0 } customName)
        {
            return new ToolDefinition(customName)
            {
                Description = tool.Custom.Description,
                CacheControl = Responses.ResponsesMapping.CacheControlOf(tool.ExtensionData),
                FreeForm = tool.Custom.Format is { Type: "grammar", Grammar.Definition: { } grammar }
                    ? new FreeFormInput { Grammar = grammar, GrammarSyntax = tool.Custom.Format.Grammar.Syntax }
                    : FreeFormInput.Text,
            };
        }

        if (tool?.Type != "function" || tool.Function?.Name is not { Length: > 0 } name)
        {
            throw GatewayException.InvalidRequest("Each tool must be {\"type\":\"function\",\"function\":{\"name\":…}} or {\"type\":\"custom\",\"custom\":{\"name\":…}}.", "tools");
        }

        return new ToolDefinition(name)
        {
            Description = tool.Function.Description,
            Parameters = tool.Function.Parameters,
            Strict = tool.Function.Strict,

            // LiteLLM's convention for Anthropic prompt caching from OpenAI-shaped clients.
            CacheControl = Responses.ResponsesMapping.CacheControlOf(tool.ExtensionData),
        };
    }

    private static List<HostedTool>? HostedToCanonical(WebSearchOptionsWire? search) => search is null ? null :
    [
        new HostedTool(HostedToolKind.WebSearch)
        {
            ClientType = "web_search_options",
            Param = "web_search_options",
            Search = new WebSearchOptions
            {
                ContextSize = search.SearchContextSize,
                UserLocation = search.UserLocation?.Approximate is { } location
                    ? new UserLocation { City = location.City, Region = location.Region, Country = location.Country, Timezone = location.Timezone }
                    : null,
            },
        },
    ];

    /// <summary>
    /// An <c>allowed_tools</c> choice (Chat Completions nests it, Responses does not): its mode and the
    /// names of its function tools, found on each entry through <paramref name="named"/>.
    /// </summary>
    internal static ToolChoice AllowedToCanonical(JsonElement allowed, string param, Func<JsonElement, JsonElement> named)
    {
        var mode = allowed.TryGetProperty("mode", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        if (mode is not ("auto" or "required"))
        {
            throw GatewayException.InvalidRequest($"'{param}.mode' must be auto or required.", param + ".mode");
        }

        var names = new List<string>();
        if (allowed.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array)
        {
            foreach (var tool in tools.EnumerateArray())
            {
                if (tool.ValueKind == JsonValueKind.Object && named(tool).TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                {
                    names.Add(name.GetString()!);
                }
            }
        }

        if (names.Count == 0)
        {
            throw GatewayException.InvalidRequest($"'{param}.tools' must name at least one function tool.", param + ".tools");
        }

        return ToolChoice.AllowedOnly(mode == "required", names);
    }

    private static ToolChoice? ToolChoiceToCanonical(JsonElement? choice)
    {
        switch (choice)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.String } word:
                return word.GetString() switch
                {
                    "auto" => ToolChoice.Auto,
                    "none" => ToolChoice.None,
                    "required" => ToolChoice.Required,
                    var other => throw GatewayException.InvalidRequest($"'tool_choice' '{other}' is not one of auto, none, required.", "tool_choice"),
                };
            case { ValueKind: JsonValueKind.Object } limited
                when limited.TryGetProperty("allowed_tools", out var allowedTools) && allowedTools.ValueKind == JsonValueKind.Object:
                return AllowedToCanonical(allowedTools, "tool_choice.allowed_tools", static tool =>
                    tool.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object ? function : tool);
            case { ValueKind: JsonValueKind.Object } named
                when (named.TryGetProperty("function", out var function) || named.TryGetProperty("custom", out function))
                    && function.ValueKind == JsonValueKind.Object
                    && function.TryGetProperty("name", out var name)
                    && name.ValueKind == JsonValueKind.String:
                return ToolChoice.Function(name.GetString()!);
            default:
                throw GatewayException.InvalidRequest("'tool_choice' must be auto, none, required or {\"type\":\"function\",\"function\":{\"name\":…}}.", "tool_choice");
        }
    }

    private static ResponseFormat? ToCanonical(ResponseFormatWire? format) => format?.Type switch
    {
        null or "text" => null,
        "json_object" => new ResponseFormat(ResponseFormatKind.JsonObject),
        "json_schema" when format.JsonSchema?.Schema is { ValueKind: JsonValueKind.Object } schema => new ResponseFormat(ResponseFormatKind.JsonSchema)
        {
            Name = format.JsonSchema.Name,
            Description = format.JsonSchema.Description,
            Schema = schema,
            Strict = format.JsonSchema.Strict,
        },
        "json_schema" => throw new GatewayException(new GatewayError(GatewayErrorKind.Unprocessable, "'response_format.json_schema.schema' must be a JSON Schema object.") { Param = "response_format.json_schema.schema" }),
        var other => throw GatewayException.InvalidRequest($"'response_format.type' '{other}' is not one of text, json_object, json_schema.", "response_format.type"),
    };

    private static List<string>? StopToCanonical(JsonElement? stop) => stop switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.String } one => [one.GetString()!],
        { ValueKind: JsonValueKind.Array } many when many.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
            many.EnumerateArray().Select(e => e.GetString()!).ToList(),
        _ => throw GatewayException.InvalidRequest("'stop' must be a string or an array of strings.", "stop"),
    };

    public static ChatCompletionRequestWire FromCanonical(ChatRequest request, string upstreamModel)
    {
        var wire = new ChatCompletionRequestWire
        {
            Model = upstreamModel,
            Messages = request.Messages.SelectMany(FromCanonical).ToList(),
            Tools = request.Tools is null ? null : request.CallableTools.Select(t => new ChatToolWire
            {
                Type = "function",
                Function = new FunctionDefinitionWire { Name = t.Name, Description = t.Description, Parameters = t.Parameters, Strict = t.Strict },
            }).ToList(),
            ToolChoice = ToolChoiceFromCanonical(request.ToolChoice),
            ParallelToolCalls = request.ParallelToolCalls,
            ResponseFormat = request.ResponseFormat is { } format ? FromCanonical(format) : null,
            ReasoningEffort = request.Reasoning switch
            {
                { Disabled: true } => null,
                { Effort: { } effort } => effort,
                { BudgetTokens: int budget } => ReasoningBudget.ToEffort(budget),
                _ => null,
            },
            MaxCompletionTokens = request.MaxOutputTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            PresencePenalty = request.PresencePenalty,
            FrequencyPenalty = request.FrequencyPenalty,
            Seed = request.Seed,
            Stop = request.StopSequences is { Count: > 0 } stops ? JsonSerializer.SerializeToElement(stops, DialectsJsonContext.Default.ListString) : null,
            Stream = request.Stream ? true : null,

            // Usage must always arrive for metering, whatever the client asked.
            StreamOptions = request.Stream ? new StreamOptionsWire { IncludeUsage = true } : null,
            User = request.User,
            PromptCacheKey = request.PromptCacheKey,
            WebSearchOptions = WebSearchFromCanonical(request),
        };

        if (request.TopK is not null)
        {
            request.Adjustments.Dropped("top_k", "Chat Completions does not support it");
        }

        if (request.Extensions is { } extensions)
        {
            foreach (var (key, value) in extensions)
            {
                if (key.StartsWith(ExtensionPrefix, StringComparison.Ordinal))
                {
                    (wire.ExtensionData ??= [])[key[ExtensionPrefix.Length..]] = value;
                }
            }
        }

        return wire;
    }

    /// <summary>Chat Completions' search settings (search models only): a context size and a location, nothing else.</summary>
    private static WebSearchOptionsWire? WebSearchFromCanonical(ChatRequest request)
    {
        if (request.HostedTools?.FirstOrDefault(t => t.Kind == HostedToolKind.WebSearch) is not { } tool)
        {
            return null;
        }

        var search = tool.Search ?? new WebSearchOptions();
        if (search.AllowedDomains is { Count: > 0 })
        {
            request.Adjustments.Dropped(tool.Param + ".allowed_domains", "Chat Completions web search has no domain filter");
        }

        if (search.BlockedDomains is { Count: > 0 })
        {
            request.Adjustments.Dropped(tool.Param + ".blocked_domains", "Chat Completions web search has no domain filter");
        }

        if (search.MaxUses is not null)
        {
            request.Adjustments.Dropped(tool.Param + ".max_uses", "Chat Completions web search has no search limit");
        }

        return new WebSearchOptionsWire
        {
            SearchContextSize = search.ContextSize,
            UserLocation = search.UserLocation is { } location ? new ChatUserLocationWire
            {
                Type = "approximate",
                Approximate = new ApproximateLocationWire { City = location.City, Region = location.Region, Country = location.Country, Timezone = location.Timezone },
            } : null,
        };
    }

    private static IEnumerable<ChatMessageWire> FromCanonical(ChatMessage message)
    {
        // A neutral message may hold several tool results (Anthropic puts them in one user turn);
        // Chat Completions wants one tool message each, before any other content of that turn.
        var others = new List<ContentPart>();
        var media = new List<ContentPart>();
        foreach (var part in message.Parts)
        {
            if (part is ToolResultPart result)
            {
                yield return new ChatMessageWire
                {
                    Role = "tool",
                    ToolCallId = result.ToolCallId,
                    Content = ContentFromCanonical(result.Content, textOnly: true),
                };

                // Tool messages hold text only; images a tool returned follow as the user's, named after their call.
                if (result.Content.Any(p => p is ImagePart or DocumentPart { Text: null }))
                {
                    media.Add(new TextPart($"Attachments returned by tool call {result.ToolCallId}:"));
                    media.AddRange(result.Content.Where(p => p is ImagePart or DocumentPart { Text: null }));
                }
            }
            else
            {
                others.Add(part);
            }
        }

        if (media.Count > 0)
        {
            yield return new ChatMessageWire { Role = "user", Content = ContentFromCanonical(media, textOnly: false) };
        }

        if (others.Count == 0 && message.Parts.Count > 0)
        {
            yield break;
        }

        var role = message.Role == Role.Tool ? "user" : message.Role.Value;
        var toolCalls = others.OfType<ToolCallPart>().Select(c => new ToolCallWire
        {
            Id = c.Id,
            Type = "function",
            Function = new FunctionCallWire { Name = c.Name, Arguments = c.ArgumentsJson },
        }).ToList();
        var reasoning = string.Concat(others.OfType<ReasoningPart>().Select(r => r.Text));
        var refusal = string.Concat(others.OfType<RefusalPart>().Select(r => r.Text));
        var content = others.Where(p => p is TextPart or ImagePart or DocumentPart).ToList();

        yield return new ChatMessageWire
        {
            Role = role,
            Name = message.Name,
            Content = content.Count == 0 && toolCalls.Count > 0
                ? null
                : ContentFromCanonical(content, textOnly: message.Role != Role.User),
            ToolCalls = toolCalls.Count > 0 ? toolCalls : null,
            ReasoningContent = reasoning.Length > 0 ? reasoning : null,
            Refusal = refusal.Length > 0 ? refusal : null,
        };
    }

    /// <summary>A plain string when the parts are all text (the form every compatible server accepts), else an array.</summary>
    private static TextOrJson ContentFromCanonical(IReadOnlyList<ContentPart> parts, bool textOnly)
    {
        if (textOnly || AllText(parts))
        {
            // string.Join gives a single part's own string back, not a copy.
            return new TextOrJson { Text = string.Join("\n", parts.OfType<TextPart>().Select(p => p.Text)) };
        }

        var wire = parts.Select(part => part switch
        {
            TextPart text => new ContentPartWire { Type = "text", Text = text.Text },
            ImagePart image => new ContentPartWire
            {
                Type = "image_url",
                ImageUrl = new ImageUrlWire
                {
                    Url = image.Url ?? DataUrl.Format(image.MediaType ?? "image/png", image.Base64Data ?? string.Empty),
                    Detail = image.Detail,
                },
            },
            DocumentPart document => new ContentPartWire
            {
                Type = "file",
                File = new FileWire
                {
                    FileData = document.Base64Data is { } data ? DataUrl.Format(document.MediaType ?? "application/pdf", data) : null,
                    Filename = document.FileName ?? document.Title,
                },
            },
            _ => new ContentPartWire { Type = "text", Text = string.Empty },
        }).ToList();
        return new TextOrJson { Json = JsonSerializer.SerializeToElement(wire, ChatCompletionsJsonContext.Default.ListContentPartWire) };
    }

    private static bool AllText(IReadOnlyList<ContentPart> parts)
    {
        for (var i = 0; i < parts.Count; i++)
        {
            if (parts[i] is not TextPart)
            {
                return false;
            }
        }

        return true;
    }

    private static JsonElement? ToolChoiceFromCanonical(ToolChoice? choice)
    {
        var text = choice?.Mode switch
        {
            null => null,
            ToolChoiceMode.Auto => "\"auto\"",
            ToolChoiceMode.None => "\"none\"",
            ToolChoiceMode.Required => "\"required\"",
            _ => null,
        };

        if (choice is { Mode: ToolChoiceMode.Function, FunctionName: { } name })
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer, Switchyard.Dialects.Json.JsonWire.WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("type"u8, "function"u8);
                writer.WriteStartObject("function"u8);
                writer.WriteString("name"u8, name);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            return JsonDocument.Parse(buffer.WrittenMemory).RootElement.Clone();
        }

        return text is null ? null : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static ResponseFormatWire FromCanonical(ResponseFormat format) => format.Kind switch
    {
        ResponseFormatKind.JsonObject => new ResponseFormatWire { Type = "json_object" },
        ResponseFormatKind.JsonSchema => new ResponseFormatWire
        {
            Type = "json_schema",
            JsonSchema = new JsonSchemaWire { Name = format.Name ?? "response", Description = format.Description, Schema = format.Schema, Strict = format.Strict },
        },
        _ => new ResponseFormatWire { Type = "text" },
    };

    public static ChatResponse ToCanonical(ChatCompletionWire wire)
    {
        var choice = wire.Choices is { Count: > 0 } choices ? choices[0] : null;
        var message = choice?.Message;
        var parts = new List<ContentPart>();
        if (message is not null)
        {
            if (message.ThinkingBlocks is { Count: > 0 } blocks)
            {
                parts.AddRange(blocks.Where(b => b is not null).Select(b => b.Type == "redacted_thinking"
                    ? new ReasoningPart(string.Empty) { RedactedData = b.Data }
                    : new ReasoningPart(b.Thinking ?? string.Empty) { Signature = b.Signature }));
            }
            else if (message.ReasoningContent is { Length: > 0 } reasoning)
            {
                parts.Add(new ReasoningPart(reasoning));
            }

            if (message.Content?.Text is { Length: > 0 } text)
            {
                parts.Add(new TextPart(text) { Citations = CitationsToCanonical(message.Annotations) });
            }

            if (message.Refusal is { Length: > 0 } refusal)
            {
                parts.Add(new RefusalPart(refusal));
            }

            // A null entry carries nothing; skip it rather than fail the whole answer.
            foreach (var call in (message.ToolCalls ?? []).Where(c => c is not null))
            {
                parts.Add(call.Custom is { } custom
                    ? ToolCallPart.FreeForm(call.Id ?? string.Empty, custom.Name ?? string.Empty, custom.Input ?? string.Empty)
                    : new ToolCallPart(call.Id ?? string.Empty, call.Function?.Name ?? string.Empty, call.Function?.Arguments ?? "{}"));
            }
        }

        return new ChatResponse
        {
            Id = wire.Id ?? string.Empty,
            Model = wire.Model ?? string.Empty,
            Created = UnixSeconds.ToTime(wire.Created),
            Parts = parts,
            FinishReason = FinishReasonToCanonical(choice?.FinishReason),
            Usage = wire.Usage is { } usage ? ToCanonical(usage) : Usage.Empty,
        };
    }

    public static List<Citation>? CitationsToCanonical(List<ChatAnnotationWire>? annotations) =>
        annotations?.Where(a => a is { Type: "url_citation", UrlCitation.Url: not null }).Select(a => new Citation(a.UrlCitation!.Url!)
        {
            Title = a.UrlCitation.Title,
            StartIndex = a.UrlCitation.StartIndex,
            EndIndex = a.UrlCitation.EndIndex,
        }).ToList() is { Count: > 0 } citations ? citations : null;

    public static Usage ToCanonical(UsageWire usage) =>
        Usage.FromInclusive(
            usage.PromptTokens,
            usage.PromptTokensDetails?.CachedTokens ?? 0,
            usage.CompletionTokens,
            usage.CompletionTokensDetails?.ReasoningTokens ?? 0);

    public static FinishReason FinishReasonToCanonical(string? reason) => reason switch
    {
        null or "stop" => FinishReason.Stop,
        "length" => FinishReason.Length,
        "tool_calls" or "function_call" => FinishReason.ToolCalls,
        "content_filter" => FinishReason.ContentFilter,
        _ => FinishReason.Other,
    };

    public static string FinishReasonFromCanonical(FinishReason reason) => reason switch
    {
        FinishReason.Length => "length",
        FinishReason.ToolCalls => "tool_calls",
        FinishReason.ContentFilter => "content_filter",
        _ => "stop",
    };
}
