namespace Switchyard.Dialects.Canonical;

/// <summary>The model asks for a function call. <see cref="ArgumentsJson"/> is the raw JSON text of the arguments.</summary>
public sealed record ToolCallPart(string Id, string Name, string ArgumentsJson) : ContentPart;
