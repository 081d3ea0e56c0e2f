namespace Switchyard.Dialects.Canonical;

public sealed record ToolChoice(ToolChoiceMode Mode)
{
    public string? FunctionName { get; init; }

    /// <summary>
    /// With <see cref="ToolChoiceMode.Auto"/> or <see cref="ToolChoiceMode.Required"/>: the model may
    /// call only these of the request's tools (OpenAI <c>allowed_tools</c>, Gemini
    /// <c>allowedFunctionNames</c>). A dialect with no such field is sent only these tools.
    /// </summary>
    public IReadOnlyList<string>? Allowed { get; init; }

    public static ToolChoice Auto { get; } = new(ToolChoiceMode.Auto);

    public static ToolChoice None { get; } = new(ToolChoiceMode.None);

    public static ToolChoice Required { get; } = new(ToolChoiceMode.Required);

    public static ToolChoice Function(string name) => new(ToolChoiceMode.Function) { FunctionName = name };

    /// <summary>A choice among some of the tools: one name required is that function; otherwise the mode limited to the names.</summary>
    public static ToolChoice AllowedOnly(bool required, IReadOnlyList<string> names) =>
        required && names.Count == 1 ? Function(names[0]) : new(required ? ToolChoiceMode.Required : ToolChoiceMode.Auto) { Allowed = names };
}
