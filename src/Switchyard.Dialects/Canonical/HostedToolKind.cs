namespace Switchyard.Dialects.Canonical;

/// <summary>What a provider-run tool does, in neutral terms; an open vocabulary.</summary>
public readonly record struct HostedToolKind(string Value)
{
    /// <summary>Searches the web (OpenAI <c>web_search</c>, Anthropic <c>web_search_*</c>, Gemini <c>google_search</c>).</summary>
    public static HostedToolKind WebSearch { get; } = new("web_search");

    /// <summary>Runs code in a provider sandbox (OpenAI <c>code_interpreter</c>, Anthropic <c>code_execution_*</c>, Gemini <c>code_execution</c>).</summary>
    public static HostedToolKind CodeExecution { get; } = new("code_execution");

    /// <summary>Fetches a page the conversation names (Anthropic <c>web_fetch_*</c>, Gemini <c>url_context</c>).</summary>
    public static HostedToolKind WebFetch { get; } = new("web_fetch");

    /// <summary>Searches files stored with the provider (OpenAI <c>file_search</c>, Gemini <c>file_search</c>).</summary>
    public static HostedToolKind FileSearch { get; } = new("file_search");

    /// <summary>Drives a computer through screenshots and input events.</summary>
    public static HostedToolKind ComputerUse { get; } = new("computer_use");

    public static HostedToolKind ImageGeneration { get; } = new("image_generation");

    /// <summary>Calls a remote MCP server from the provider's side.</summary>
    public static HostedToolKind Mcp { get; } = new("mcp");

    /// <summary>
    /// A tool whose calls have a provider-specific shape the client executes itself (OpenAI
    /// <c>local_shell</c>, <c>shell</c>, <c>apply_patch</c>; Anthropic <c>bash_*</c>, <c>text_editor_*</c>, <c>memory_*</c>).
    /// </summary>
    public static HostedToolKind ProviderDefined { get; } = new("provider_defined");

    public override string ToString() => Value;
}
