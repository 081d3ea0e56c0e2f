using System.Text.Json;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Dialects.Bedrock;

/// <summary>Converse wire types to the neutral model, and the few facts about model families the codec needs.</summary>
internal static class ConverseMapping
{
    /// <summary>The name reasoning signatures from Bedrock carry, so they return to Bedrock only.</summary>
    public const string BedrockSource = "bedrock";

    /// <summary>
    /// The tool forced when a client asks for structured output: Converse has no JSON mode that
    /// every model honours, so its input is the answer, returned to the client as text.
    /// </summary>
    public const string JsonOutputTool = "switchyard_json_output";

    /// <summary>True for Anthropic models, by base id, cross-region inference profile (<c>us.anthropic.…</c>) or ARN.</summary>
    public static bool IsAnthropic(string modelId) => modelId.Contains("anthropic.", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for Amazon Nova models, whose reasoning switch is <c>reasoningConfig</c>.</summary>
    public static bool IsNova(string modelId) => modelId.Contains("amazon.nova", StringComparison.OrdinalIgnoreCase);

    public static FinishReason FinishReasonToCanonical(string? reason) => reason switch
    {
        null or "end_turn" => FinishReason.Stop,
        "tool_use" => FinishReason.ToolCalls,
        "max_tokens" or "model_context_window_exceeded" => FinishReason.Length,
        "stop_sequence" => FinishReason.StopSequence,
        "guardrail_intervened" or "content_filtered" => FinishReason.ContentFilter,
        _ => FinishReason.Other,
    };

    public static Usage ToCanonical(ConverseUsageWire? usage) => usage is null ? Usage.Empty : new Usage
    {
        InputTokens = usage.InputTokens ?? 0,
        CacheReadTokens = usage.CacheReadInputTokens ?? 0,
        CacheWriteTokens = usage.CacheWriteInputTokens ?? 0,
        OutputTokens = usage.OutputTokens ?? 0,
    };

    /// <summary>A signature from Bedrock, wrapped so other surfaces carry it and only Bedrock is sent it again.</summary>
    public static string? WrapSignature(string? signature) =>
        signature is { Length: > 0 } ? ReasoningSignature.Wrap(BedrockSource, signature) : null;

    /// <summary>The signature Bedrock issued for a reasoning block, or null when it came from anywhere else.</summary>
    public static string? BedrockSignature(string? signature) =>
        ReasoningSignature.TryUnwrap(signature, out var source, out var original) && source == BedrockSource ? original : null;

    public static ChatResponse ToCanonical(ConverseResponseWire wire)
    {
        var parts = new List<ContentPart>();
        var forcedJson = false;
        foreach (var block in wire.Output?.Message?.Content ?? [])
        {
            switch (block)
            {
                case { Text: { } text }:
                    parts.Add(new TextPart(text));
                    break;
                case { ToolUse: { Name: JsonOutputTool } json }:
                    forcedJson = true;
                    parts.Add(new TextPart(json.Input?.GetRawText() ?? "{}"));
                    break;
                case { ToolUse: { } call }:
                    parts.Add(new ToolCallPart(call.ToolUseId ?? string.Empty, call.Name ?? string.Empty, Arguments(call.Input)));
                    break;
                case { ReasoningContent: { RedactedContent: { } redacted } }:
                    parts.Add(new ReasoningPart(string.Empty) { RedactedData = redacted });
                    break;
                case { ReasoningContent.ReasoningText: { } reasoning }:
                    parts.Add(new ReasoningPart(reasoning.Text ?? string.Empty) { Signature = WrapSignature(reasoning.Signature) });
                    break;
            }
        }

        return new ChatResponse
        {
            // Converse answers carry no id; the gateway's request id stands in where a surface needs one.
            Id = string.Empty,
            Model = string.Empty,
            Parts = parts,
            FinishReason = forcedJson ? FinishReason.Stop : FinishReasonToCanonical(wire.StopReason),
            Usage = ToCanonical(wire.Usage),
        };
    }

    private static string Arguments(JsonElement? input) => input switch
    {
        null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => "{}",
        { } value => value.GetRawText(),
    };
}
