namespace Switchyard.Dialects.Canonical;

/// <summary>Why generation ended, in neutral terms; each dialect maps its own words onto these.</summary>
public readonly record struct FinishReason(string Value)
{
    public static FinishReason Stop { get; } = new("stop");
    public static FinishReason Length { get; } = new("length");
    public static FinishReason ToolCalls { get; } = new("tool_calls");
    public static FinishReason ContentFilter { get; } = new("content_filter");

    /// <summary>A stop sequence matched (Anthropic reports it apart from a natural stop).</summary>
    public static FinishReason StopSequence { get; } = new("stop_sequence");

    public static FinishReason Refusal { get; } = new("refusal");

    public override string ToString() => Value;
}
