using System.Text.Json;

namespace Switchyard.Dialects.Canonical;

/// <summary>A tool the caller runs: a function taking a JSON object (<see cref="Parameters"/> is its JSON Schema) or free-form text.</summary>
public sealed record ToolDefinition(string Name)
{

    public string? Description { get; init; }

    public JsonElement? Parameters { get; init; }

    public bool? Strict { get; init; }

    public JsonElement? CacheControl { get; init; }

    /// <summary>
    /// The named group the tool belongs to (OpenAI Responses <c>namespace</c> tools); calls to it
    /// carry the same namespace. Null for a tool outside any group.
    /// </summary>
    public string? Namespace { get; init; }

    /// <summary>The group's description, shown to the model with its tools.</summary>
    public string? NamespaceDescription { get; init; }

    /// <summary>
    /// Set when the tool takes free-form text rather than JSON arguments (OpenAI <c>custom</c>
    /// tools). Dialects without such tools declare it as a function of one string, <see cref="FreeFormInput.ArgumentName"/>.
    /// </summary>
    public FreeFormInput? FreeForm { get; init; }

    /// <summary>
    /// The model should not see the tool until it looks it up (Anthropic and OpenAI <c>defer_loading</c>);
    /// dialects without tool search declare it like any other tool.
    /// </summary>
    public bool DeferLoading { get; init; }
}
