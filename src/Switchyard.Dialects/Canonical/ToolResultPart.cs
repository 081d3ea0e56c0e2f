namespace Switchyard.Dialects.Canonical;

/// <summary>The caller's answer to a tool call, matched by <see cref="ToolCallId"/>.</summary>
public sealed record ToolResultPart(string ToolCallId, IReadOnlyList<ContentPart> Content) : ContentPart
{
    public bool IsError { get; init; }

    /// <summary>The function's name, where the dialect carries it (Gemini needs it).</summary>
    public string? Name { get; init; }
}
