using System.Text.Json.Nodes;

namespace Switchyard.Agents.FakeModel;

/// <summary>
/// The verdict on one cell of the agents check, from the fake's log, the file on disk and what
/// the agent printed: the upstream accepted every request of the session, the file-writing tool
/// ran, turn two's upstream request carried turn one's call, result and answer, and the agent
/// showed both answers.
/// </summary>
internal sealed record CellCheck(string LogPath, string GatewayLogPath, string Token, string FilePath, CellOutput TurnOne, CellOutput TurnTwo)
{
    /// <summary><c>null</c> when the cell passes, else the first thing that went wrong.</summary>
    public string? Failure()
    {
        // The prompts carry the token, so every request of this cell's session names it somewhere.
        var session = RequestLog.Read(LogPath).Where(e => e["body"]?.ToJsonString().Contains(Token, StringComparison.Ordinal) == true).ToList();
        if (session.FirstOrDefault(e => e["status"]?.GetValue<int>() != 200) is { } refused)
        {
            return $"upstream ({refused["dialect"]}) refused request #{refused["seq"]} with {refused["status"]}: {refused["error"]}";
        }

        // An agent may retry a refused request in another shape and still finish; a refusal is a
        // failure all the same.
        if (GatewayRefusal() is { } refusal)
        {
            return refusal;
        }

        var call = session.FirstOrDefault(e => Phase(e) == FakeModel.Phase.TurnOneCall);
        if (call is null)
        {
            return session.FirstOrDefault(e => Phase(e) == FakeModel.Phase.TurnOneNoTool) is { } noTool
                ? $"no file-writing tool reached the upstream (tools: {string.Join(", ", noTool["tools"]!.AsArray())})"
                : $"turn 1 never reached the upstream; {TurnOne.Describe()}";
        }

        var issued = call["answer"]!.AsObject();
        var dialect = call["dialect"]!.GetValue<string>();
        var done = session.FirstOrDefault(e => Phase(e) == FakeModel.Phase.TurnOneDone);
        if (done is null)
        {
            return $"the tool result never reached the upstream; {TurnOne.Describe()}";
        }

        if (!File.Exists(FilePath))
        {
            var result = Items(done).OfType<ToolResult>().LastOrDefault()?.Output;
            return $"{issued["tool"]} did not write the file; its result: {Shorten(result ?? "(none)")}";
        }

        var content = File.ReadAllText(FilePath);
        if (content.TrimEnd('\n') != Token)
        {
            return $"the file holds '{Shorten(content)}' instead of the token";
        }

        if (TurnOne.ExitCode != 0 || !TurnOne.Text.Contains($"{Script.TurnOneDoneText} {Token}", StringComparison.Ordinal))
        {
            return $"turn 1's answer did not reach the agent; {TurnOne.Describe()}";
        }

        var second = session.FirstOrDefault(e => Phase(e) == FakeModel.Phase.TurnTwo);
        if (second is null)
        {
            return $"turn 2 never reached the upstream; {TurnTwo.Describe()}";
        }

        if (HistoryGap(Items(second), issued, dialect) is { } gap)
        {
            return $"turn 2's upstream request (#{second["seq"]}) lacks {gap}";
        }

        if (TurnTwo.ExitCode != 0 || !TurnTwo.Text.Contains($"{Script.TurnTwoText} {Token}", StringComparison.Ordinal))
        {
            return $"turn 2's answer did not reach the agent; {TurnTwo.Describe()}";
        }

        return null;
    }

    private const int ClientClosedRequest = 499;

    /// <summary>
    /// The first request of this session the gateway did not answer with success, from its JSON
    /// log: the bodies it logs (event 1900) name the session's token, and every request ends in
    /// a line (events 1700-1702) with its status.
    /// </summary>
    private string? GatewayRefusal()
    {
        var lines = File.Exists(GatewayLogPath)
            ? File.ReadLines(GatewayLogPath).Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!.AsObject()).ToList()
            : [];
        var ids = lines.Where(l => l["EventId"]?.GetValue<int>() == 1900 && l["Message"]?.GetValue<string>().Contains(Token, StringComparison.Ordinal) == true)
            .Select(l => l["State"]?["RequestId"]?.GetValue<string>())
            .ToHashSet();
        // 499 is no answer of the gateway's but the agent closing the connection itself (Codex
        // closes a stream as soon as it has `response.completed`, sometimes before the upstream's
        // own end reached the gateway); whether the session still worked is judged by the turns.
        var refused = lines.FirstOrDefault(l => l["EventId"]?.GetValue<int>() != 1900 && l["State"]?["RequestId"]?.GetValue<string>() is { } id
            && ids.Contains(id) && l["State"]?["Status"]?.GetValue<int>() is >= 400 and not ClientClosedRequest);
        if (refused?["State"] is not JsonObject state)
        {
            return null;
        }

        var seen = TurnOne.ExitCode != 0 ? TurnOne.Describe() : TurnTwo.ExitCode != 0 ? TurnTwo.Describe() : "the agent retried and went on";
        return $"the gateway answered {state["Surface"]} request {state["RequestId"]} ({state["Model"]}) with {state["Status"]}; {seen}";
    }

    /// <summary>What of turn one is missing from turn two's history: the call, its result, or the answer.</summary>
    private string? HistoryGap(List<Item> items, JsonObject issued, string dialect)
    {
        var name = issued["tool"]!.GetValue<string>();
        var id = issued["id"]!.GetValue<string>();

        // Gemini calls have no ids; a call is known there by its name and its arguments.
        bool IsCall(ToolCall c) => c.Name == name && (dialect == "gemini" ? c.Arguments.Contains(Token, StringComparison.Ordinal) : c.Id == id);
        bool Answers(ToolResult r) => dialect == "gemini" ? r.Name == name : r.Id == id;

        var callAt = items.FindIndex(i => i is ToolCall c && IsCall(c));
        if (callAt < 0)
        {
            var calls = items.OfType<ToolCall>().Select(c => $"{c.Name}#{c.Id}").ToList();
            return $"turn 1's tool call {name}#{id} (calls present: {(calls.Count == 0 ? "none" : string.Join(", ", calls))})";
        }

        if (dialect != "gemini" && !((ToolCall)items[callAt]).Arguments.Contains(Token, StringComparison.Ordinal))
        {
            return $"turn 1's tool call arguments (got {Shorten(((ToolCall)items[callAt]).Arguments)})";
        }

        var resultAt = items.FindIndex(callAt, i => i is ToolResult r && Answers(r));
        if (resultAt < 0)
        {
            return $"the tool result for {name}#{id}";
        }

        if (items.FindIndex(resultAt, i => i is AssistantText a && a.Text.Contains($"{Script.TurnOneDoneText} {Token}", StringComparison.Ordinal)) < 0)
        {
            return "turn 1's final answer after the tool result";
        }

        return null;
    }

    private static Phase? Phase(JsonObject entry) =>
        Enum.TryParse<Phase>(entry["phase"]?.GetValue<string>(), out var phase) ? phase : null;

    private static List<Item> Items(JsonObject entry) =>
        (entry["items"] as JsonArray ?? []).OfType<JsonObject>().Select(RequestLog.FromJson).ToList();

    internal static string Shorten(string text)
    {
        var flat = text.ReplaceLineEndings(" ").Trim();
        return flat.Length <= 160 ? flat : flat[..160] + "…";
    }
}
