namespace Switchyard.Dialects.Canonical;

/// <summary>
/// A call the provider ran itself during the answer (a web search and its query). It is reported
/// to clients that can show it and never sent back upstream: providers keep such calls to themselves.
/// </summary>
public sealed record ServerToolCallPart(string Id, HostedToolKind Kind, string Name, string InputJson) : ContentPart
{
    /// <summary>The search query, for a web search.</summary>
    public string? Query { get; init; }
}
