namespace Switchyard.Dialects.Canonical;

/// <summary>The kind of an indexed part in a stream; indexes mirror Anthropic content blocks.</summary>
public enum PartKind
{
    Text,
    Reasoning,
    ToolCall,
    Refusal,
}
