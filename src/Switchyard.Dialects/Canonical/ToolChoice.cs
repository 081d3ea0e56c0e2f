namespace Switchyard.Dialects.Canonical;

public sealed record ToolChoice(ToolChoiceMode Mode)
{
    public string? FunctionName { get; init; }

    public static ToolChoice Auto { get; } = new(ToolChoiceMode.Auto);

    public static ToolChoice None { get; } = new(ToolChoiceMode.None);

    public static ToolChoice Required { get; } = new(ToolChoiceMode.Required);

    public static ToolChoice Function(string name) => new(ToolChoiceMode.Function) { FunctionName = name };
}
