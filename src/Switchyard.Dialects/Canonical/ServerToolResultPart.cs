namespace Switchyard.Dialects.Canonical;

/// <summary>What a provider-run call (<see cref="ServerToolCallPart"/>) found: for a web search, its sources.</summary>
public sealed record ServerToolResultPart(string ToolCallId, HostedToolKind Kind) : ContentPart
{
    public IReadOnlyList<WebSource> Sources { get; init; } = [];

    /// <summary>The provider's error code when the call failed (Anthropic <c>web_search_tool_result_error</c>).</summary>
    public string? ErrorCode { get; init; }
}
