using System.Text.Json;

namespace Switchyard.Dialects.Canonical;

/// <summary>
/// The neutral chat request, a superset of the three API families. Instructions are messages with
/// a system or developer role wherever the client put them; codecs that need a single system
/// field fold them.
/// </summary>
public sealed record ChatRequest
{
    public required string Model { get; set; }

    public required List<ChatMessage> Messages { get; init; }

    public List<ToolDefinition>? Tools { get; init; }

    public ToolChoice? ToolChoice { get; init; }

    /// <summary>Provider-run tools the client asked for (web search, code execution, …), in the order it declared them.</summary>
    public List<HostedTool>? HostedTools { get; init; }

    /// <summary>A key that groups requests sharing a prompt prefix, for provider-side caching (OpenAI <c>prompt_cache_key</c>).</summary>
    public string? PromptCacheKey { get; init; }

    /// <summary>The tools the model may call: all of <see cref="Tools"/>, or those its tool choice allows.</summary>
    public IReadOnlyList<ToolDefinition> CallableTools =>
        ToolChoice?.Allowed is { } allowed ? (Tools ?? []).Where(t => allowed.Contains(t.Name)).ToList() : Tools ?? [];

    public bool? ParallelToolCalls { get; init; }

    public ResponseFormat? ResponseFormat { get; init; }

    public ReasoningOptions? Reasoning { get; init; }

    public int? MaxOutputTokens { get; set; }

    /// <summary>What the gateway clamped or dropped for this request, reading it or writing it for an upstream.</summary>
    public ParamAdjustments Adjustments { get; init; } = new();

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? TopK { get; init; }

    public double? PresencePenalty { get; init; }

    public double? FrequencyPenalty { get; init; }

    public long? Seed { get; init; }

    public List<string>? StopSequences { get; init; }

    /// <summary>The client asked for a stream; set by the gateway when the route decides it (Gemini's <c>:streamGenerateContent</c>).</summary>
    public bool Stream { get; set; }

    /// <summary>The client asked for usage as a separate final stream chunk (OpenAI <c>stream_options.include_usage</c>).</summary>
    public bool StreamIncludeUsage { get; init; }

    /// <summary>An end-user id for abuse tracking (OpenAI <c>user</c>, Anthropic <c>metadata.user_id</c>).</summary>
    public string? User { get; init; }

    /// <summary>Client metadata, echoed back on Chat Completions and Responses results.</summary>
    public JsonElement? Metadata { get; init; }

    /// <summary>
    /// The request's own settings that its dialect's answer repeats back, as the client sent them
    /// (the Responses object echoes <c>instructions</c>, <c>tools</c>, <c>store</c>, …); read and
    /// written by that dialect's codec alone, carried untouched in between.
    /// </summary>
    public JsonElement? Echo { get; set; }

    /// <summary>Top-level fields of the source dialect with no neutral slot, keyed <c>dialect.field</c>.</summary>
    public Dictionary<string, JsonElement>? Extensions { get; init; }

    /// <summary>The text of the last user message, for estimates and for the echo model.</summary>
    public string LastUserText =>
        Messages.LastOrDefault(m => m.Role == Role.User)?.Text ?? string.Empty;
}
