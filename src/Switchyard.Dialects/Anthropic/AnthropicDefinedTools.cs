using System.Text.Json;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Dialects.Anthropic;

/// <summary>
/// Anthropic-defined client tools — the caller runs them, Anthropic only fixes their name and
/// input — declared to other dialects as the functions they are, with the documented input
/// schemas (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/bash-tool,
/// …/text-editor-tool, …/memory-tool). Calls come back under the tool's own name, as an
/// Anthropic client expects them.
/// </summary>
internal static class AnthropicDefinedTools
{
    private static readonly JsonElement BashInput = Parse("""
        {"type":"object","properties":{
          "command":{"type":"string","description":"The bash command to run."},
          "restart":{"type":"boolean","description":"Restart the bash session instead of running a command."}}}
        """);

    private static readonly JsonElement TextEditorInput = Parse("""
        {"type":"object","properties":{
          "command":{"type":"string","enum":["view","create","str_replace","insert","undo_edit"],"description":"The edit to make."},
          "path":{"type":"string","description":"Absolute path to the file or directory."},
          "file_text":{"type":"string","description":"create: the new file's content."},
          "old_str":{"type":"string","description":"str_replace: the exact text to replace."},
          "new_str":{"type":"string","description":"str_replace: the replacement; insert: the text to insert."},
          "insert_line":{"type":"integer","description":"insert: the line after which to insert."},
          "view_range":{"type":"array","items":{"type":"integer"},"description":"view: first and last line to show."}},
         "required":["command","path"]}
        """);

    private static readonly JsonElement MemoryInput = Parse("""
        {"type":"object","properties":{
          "command":{"type":"string","enum":["view","create","str_replace","insert","delete","rename"]},
          "path":{"type":"string"},"file_text":{"type":"string"},"old_str":{"type":"string"},"new_str":{"type":"string"},
          "insert_line":{"type":"integer"},"insert_text":{"type":"string"},"view_range":{"type":"array","items":{"type":"integer"}},
          "old_path":{"type":"string"},"new_path":{"type":"string"}},
         "required":["command"]}
        """);

    /// <summary>The function a defined tool stands for; null for any other tool.</summary>
    public static ToolDefinition? ToCanonical(ToolWire tool)
    {
        var (description, input) = tool.Type switch
        {
            { } type when type.StartsWith("bash_", StringComparison.Ordinal) => ("Run a command in a persistent bash shell.", BashInput),
            { } type when type.StartsWith("text_editor_", StringComparison.Ordinal) => ("View, create and edit text files.", TextEditorInput),
            { } type when type.StartsWith("memory_", StringComparison.Ordinal) => ("Read and write files in the /memories directory that persist across conversations.", MemoryInput),
            _ => (null, default),
        };

        return description is null || tool.Name is not { Length: > 0 } name
            ? null
            : new ToolDefinition(name) { Description = description, Parameters = input, CacheControl = tool.CacheControl };
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
