using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Forwarding;
using Switchyard.Metering;

namespace Switchyard.Providers.Echo;

/// <summary>
/// The built-in deterministic model (docs/commands.md): it answers every surface by echoing the last
/// user message, calls each tool the message names as <c>call NAME</c>, fills structured output
/// from the schema, thinks aloud when reasoning is asked for, and reports usage. It lets a fresh
/// clone be tried end to end with no account.
/// </summary>
internal sealed partial class EchoBackend : IChatBackend
{
    public Task<BackendResult> CompleteAsync(ChatRequest request, Deployment deployment, UpstreamTarget target, CancellationToken cancellationToken)
    {
        var answer = Answer(request);
        var parts = new List<ContentPart>();
        if (answer.Reasoning is { } reasoning)
        {
            parts.Add(new ReasoningPart(reasoning));
        }

        if (answer.Text.Length > 0)
        {
            parts.Add(new TextPart(answer.Text));
        }

        parts.AddRange(answer.ToolCalls);
        return Task.FromResult<BackendResult>(new ChatResponse
        {
            Id = "echo-" + Guid.NewGuid().ToString("N"),
            Model = deployment.UpstreamModel,
            Parts = parts,
            FinishReason = answer.FinishReason,
            Usage = answer.Usage,
        });
    }

    public async IAsyncEnumerable<StreamEvent> StreamAsync(ChatRequest request, Deployment deployment, UpstreamTarget target, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        var answer = Answer(request);
        yield return new ResponseStarted("echo-" + Guid.NewGuid().ToString("N"), deployment.UpstreamModel);
        var index = 0;
        if (answer.Reasoning is { } reasoning)
        {
            yield return new PartStarted(index, PartKind.Reasoning);
            foreach (var piece in Words(reasoning))
            {
                yield return new ReasoningDelta(index, piece);
            }

            yield return new PartCompleted(index++);
        }

        if (answer.Text.Length > 0)
        {
            yield return new PartStarted(index, PartKind.Text);
            foreach (var piece in Words(answer.Text))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return new TextDelta(index, piece);
            }

            yield return new PartCompleted(index++);
        }

        foreach (var call in answer.ToolCalls)
        {
            yield return new PartStarted(index, PartKind.ToolCall) { ToolCallId = call.Id, ToolName = call.Name };

            // Split the arguments so clients see them arrive in pieces, as real models send them.
            var json = call.ArgumentsJson;
            var step = Math.Max(1, json.Length / 3);
            for (var i = 0; i < json.Length; i += step)
            {
                yield return new ToolArgumentsDelta(index, json.Substring(i, Math.Min(step, json.Length - i)));
            }

            yield return new PartCompleted(index++);
        }

        yield return new UsageUpdated(answer.Usage);
        yield return new ResponseCompleted(answer.FinishReason, answer.Usage);
    }

    private static EchoAnswer Answer(ChatRequest request)
    {
        var last = request.Messages.LastOrDefault(m => !m.Role.IsInstruction);
        var userText = request.LastUserText;
        var toolCalls = last?.Role == Role.User ? ToolCalls(request, userText) : [];

        string text;
        if (toolCalls.Count > 0)
        {
            text = string.Empty;
        }
        else if (last?.Parts.OfType<ToolResultPart>().ToList() is { Count: > 0 } results)
        {
            text = string.Join("\n", results.Select(r => $"Tool {r.Name ?? r.ToolCallId} returned: {string.Concat(r.Content.OfType<TextPart>().Select(t => t.Text))}"));
        }
        else if (request.ResponseFormat is { Kind: ResponseFormatKind.JsonSchema } schema)
        {
            text = Json(w => SchemaSample.Write(w, schema.Schema, userText));
        }
        else if (request.ResponseFormat is { Kind: ResponseFormatKind.JsonObject })
        {
            text = Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("echo"u8, userText);
                w.WriteEndObject();
            });
        }
        else
        {
            text = userText.Length > 0 ? "Echo: " + userText : "Echo.";
        }

        var finish = toolCalls.Count > 0 ? FinishReason.ToolCalls : FinishReason.Stop;
        foreach (var stop in request.StopSequences ?? [])
        {
            var at = stop.Length > 0 ? text.IndexOf(stop, StringComparison.Ordinal) : -1;
            if (at >= 0)
            {
                text = text[..at];
                finish = FinishReason.StopSequence;
            }
        }

        var reasoning = request.Reasoning is { Disabled: false } ? $"The user wrote {userText.Length} characters; echoing them back." : null;
        var reasoningTokens = reasoning is null ? 0 : TokenEstimator.Estimate(reasoning);
        if (request.MaxOutputTokens is int max && TokenEstimator.Estimate(text) > max)
        {
            text = text[..Math.Min(text.Length, max * 4)];
            finish = FinishReason.Length;
        }

        var output = TokenEstimator.Estimate(text) + toolCalls.Sum(c => TokenEstimator.Estimate(c.Name + c.ArgumentsJson));
        return new EchoAnswer(text, reasoning, toolCalls, finish, new Usage
        {
            InputTokens = TokenEstimator.Estimate(request),
            OutputTokens = Math.Max(1, output),
            ReasoningTokens = reasoningTokens,
        });
    }

    private static List<ToolCallPart> ToolCalls(ChatRequest request, string userText)
    {
        if (request.Tools is not { Count: > 0 } tools || request.ToolChoice?.Mode == ToolChoiceMode.None)
        {
            return [];
        }

        var names = CallPattern().Matches(userText).Select(m => m.Groups[1].Value)
            .Where(name => tools.Any(t => t.Name == name))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (names.Count == 0 && request.ToolChoice is { Mode: ToolChoiceMode.Function, FunctionName: { } forced })
        {
            names.Add(forced);
        }
        else if (names.Count == 0 && request.ToolChoice?.Mode == ToolChoiceMode.Required)
        {
            names.Add(tools[0].Name);
        }

        if (request.ParallelToolCalls == false && names.Count > 1)
        {
            names.RemoveRange(1, names.Count - 1);
        }

        return names.Select(name =>
        {
            var tool = tools.First(t => t.Name == name);
            var arguments = Json(w => SchemaSample.Write(w, tool.Parameters, userText));
            return new ToolCallPart(StableId(name, userText, request.Messages.Count), name, arguments);
        }).ToList();
    }

    /// <summary>Ids are derived from the conversation, so a replayed request gets the same ids and different rounds get different ones.</summary>
    private static string StableId(string name, string text, int round)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{round}\n{name}\n{text}"));
        return "call_" + Convert.ToHexStringLower(hash)[..24];
    }

    private static IEnumerable<string> Words(string text)
    {
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == ' ')
            {
                yield return text[start..i];
                start = i;
            }
        }
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Switchyard.Dialects.Json.JsonWire.WriterOptions))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [GeneratedRegex(@"\bcall\s+([A-Za-z0-9_\-\.]+)", RegexOptions.IgnoreCase)]
    private static partial Regex CallPattern();

    private sealed record EchoAnswer(string Text, string? Reasoning, List<ToolCallPart> ToolCalls, FinishReason FinishReason, Usage Usage);
}
