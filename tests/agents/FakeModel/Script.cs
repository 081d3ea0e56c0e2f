using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Switchyard.Agents.FakeModel;

/// <summary>
/// Decides what the fake model answers. The harness's prompts carry everything the script needs
/// (the file's absolute path and the token to write), so one fake serves every cell at once:
/// turn one is answered with a call of whichever file-writing tool the agent offered, then with
/// text once the tool's result is in the history; turn two is answered with text.
/// </summary>
internal static partial class Script
{
    public const string TurnOneDoneText = "Created the file for";
    public const string TurnTwoText = "Turn two answered for";

    private static readonly string[] PathProperties = ["file_path", "path", "absolute_path"];

    [GeneratedRegex(@"Create the file (?<path>/\S+) containing exactly the text (?<token>[A-Za-z0-9-]+)")]
    private static partial Regex TurnOnePrompt();

    [GeneratedRegex(@"turn two for (?<token>[A-Za-z0-9-]+)")]
    private static partial Regex TurnTwoPrompt();

    public static (Phase Phase, string? Token, Answer Answer) Decide(ParsedRequest request, Func<string> newCallId)
    {
        // Side questions some agents ask with the whole history attached (Gemini CLI's next-speaker
        // check, titles) must not be mistaken for the session's own turns.
        if (request.WantsJson)
        {
            return (Phase.Side, null, new TextAnswer(SampleJson.For(request.OutputSchema).ToJsonString()));
        }

        var (index, prompt) = LastPrompt(request.Items);
        if (prompt is null)
        {
            return (Phase.Side, null, new TextAnswer("OK."));
        }

        var token = prompt.Groups["token"].Value;
        if (prompt.Groups["path"].Success)
        {
            var path = prompt.Groups["path"].Value;
            var after = request.Items.Skip(index + 1).ToList();
            if (after.OfType<ToolResult>().Any())
            {
                return (Phase.TurnOneDone, token, new TextAnswer($"{TurnOneDoneText} {token}: {path}."));
            }

            return WriteCall(request.Tools, path, token, newCallId()) is { } call
                ? (Phase.TurnOneCall, token, call)
                : (Phase.TurnOneNoTool, token, new TextAnswer($"No file-writing tool was offered for {token}."));
        }

        return (Phase.TurnTwo, token, new TextAnswer($"{TurnTwoText} {token}."));
    }

    /// <summary>The text and position of the latest harness prompt (turn one or two) in the history.</summary>
    private static (int Index, Match? Prompt) LastPrompt(IReadOnlyList<Item> items)
    {
        for (var i = items.Count - 1; i >= 0; i--)
        {
            if (items[i] is not UserText { Text: var text })
            {
                continue;
            }

            var one = TurnOnePrompt().Matches(text).LastOrDefault();
            var two = TurnTwoPrompt().Matches(text).LastOrDefault();
            var latest = (one, two) switch
            {
                (null, null) => null,
                (not null, null) => one,
                (null, not null) => two,
                _ => one!.Index > two!.Index ? one : two,
            };
            if (latest is not null)
            {
                return (i, latest);
            }
        }

        return (-1, null);
    }

    /// <summary>
    /// A call that writes <paramref name="token"/> to <paramref name="path"/> with the first tool
    /// that can: a write tool taking a path and content (Claude Code's <c>Write</c>, Gemini CLI's
    /// <c>write_file</c>), Codex's <c>apply_patch</c> (custom, or a function of one string as a
    /// gateway may offer it to a model without custom tools), or a shell command tool.
    /// </summary>
    internal static ToolCallAnswer? WriteCall(IReadOnlyList<OfferedTool> tools, string path, string token, string callId)
    {
        foreach (var tool in tools.Where(t => t.Kind == ToolKind.Function))
        {
            var properties = tool.Parameters?["properties"] as JsonObject;
            var pathProperty = PathProperties.FirstOrDefault(p => properties?.ContainsKey(p) == true);
            if (pathProperty is not null && properties!.ContainsKey("content"))
            {
                return new ToolCallAnswer(tool, callId, new JsonObject { [pathProperty] = path, ["content"] = token }.ToJsonString());
            }
        }

        var patch = $"*** Begin Patch\n*** Add File: {path}\n+{token}\n*** End Patch\n";
        if (tools.FirstOrDefault(t => t.Name == "apply_patch") is { } applyPatch)
        {
            if (applyPatch.Kind == ToolKind.Custom)
            {
                return new ToolCallAnswer(applyPatch, callId, patch);
            }

            if (applyPatch.Parameters?["properties"] is JsonObject { Count: 1 } single)
            {
                return new ToolCallAnswer(applyPatch, callId, new JsonObject { [single.First().Key] = patch }.ToJsonString());
            }
        }

        var command = $"printf '%s' '{token}' > '{path}'";
        foreach (var tool in tools.Where(t => t.Kind == ToolKind.Function))
        {
            var properties = tool.Parameters?["properties"] as JsonObject;
            if (tool.Name == "exec_command" && properties?.ContainsKey("cmd") == true)
            {
                return new ToolCallAnswer(tool, callId, new JsonObject { ["cmd"] = command }.ToJsonString());
            }

            if (tool.Name is "shell" or "container.exec" && properties?["command"]?["type"]?.ToString() == "array")
            {
                return new ToolCallAnswer(tool, callId, new JsonObject { ["command"] = new JsonArray("bash", "-lc", command) }.ToJsonString());
            }

            if (tool.Name is "shell_command" or "run_shell_command" or "Bash" && properties?.ContainsKey("command") == true)
            {
                return new ToolCallAnswer(tool, callId, new JsonObject { ["command"] = command }.ToJsonString());
            }
        }

        return null;
    }

    /// <summary>A fresh id in a dialect's style (<c>call_…</c>, <c>toolu_…</c>).</summary>
    public static string NewId(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
