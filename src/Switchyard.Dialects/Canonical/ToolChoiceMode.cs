namespace Switchyard.Dialects.Canonical;

public enum ToolChoiceMode
{
    Auto,
    None,

    /// <summary>Some tool must be called (OpenAI <c>required</c>, Anthropic <c>any</c>, Gemini <c>ANY</c>).</summary>
    Required,

    /// <summary>The named function must be called.</summary>
    Function,
}
