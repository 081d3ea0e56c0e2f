using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.OpenAI.Chat;

/// <summary>
/// <c>chat.completion.chunk</c> frames to neutral events. Parts are numbered in the order they
/// start; each OpenAI <c>tool_calls[i]</c> becomes its own part, and a part is completed as soon as
/// another kind starts, so writers of block-structured dialects can close blocks in order.
/// </summary>
internal static class ChatCompletionsStreamReader
{
    // Read by every chunk without tool calls (never written): no empty list or iterator a chunk.
    private static readonly List<ToolCallWire> NoToolCalls = [];

    public static async IAsyncEnumerable<StreamEvent> ReadAsync(
        IAsyncEnumerable<SseFrame> frames,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = false;
        var nextPart = 0;
        int? openPart = null;
        var openKind = PartKind.Text;
        var toolParts = new Dictionary<int, int>();
        FinishReason? finish = null;
        var usage = Usage.Empty;
        var events = new List<StreamEvent>(4);
        var scratch = new ChatChunkWire();

        await foreach (var frame in frames.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (frame.IsDone)
            {
                break;
            }

            if (frame.Data.IsEmpty)
            {
                continue;
            }

            ChatChunkWire? chunk;
            try
            {
                // The id and model are read until the stream has started: no strings a chunk after
                // that. Every chunk is read into the stream's one: nothing of it outlives its events.
                chunk = ChatChunkParser.Parse(frame.Data.Span, identity: !started, into: scratch);
            }
            catch (JsonException)
            {
                chunk = null;
            }

            if (chunk is null)
            {
                yield return new ResponseFailed(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed stream frame.") { Code = "upstream_error" });
                yield break;
            }

            if (chunk.Error is { } error)
            {
                yield return new ResponseFailed(OpenAIErrors.Read(502, JsonSerializer.SerializeToUtf8Bytes(
                    new Dictionary<string, JsonElement> { ["error"] = error }, DialectsJsonContext.Default.DictionaryStringJsonElement)));
                yield break;
            }

            // Azure OpenAI opens its streams with a chunk of prompt_filter_results alone: no id, no choices.
            if (!started && string.IsNullOrEmpty(chunk.Id) && chunk.Choices is not { Count: > 0 } && chunk.Usage is null)
            {
                continue;
            }

            if (!started)
            {
                started = true;
                yield return new ResponseStarted(chunk.Id ?? string.Empty, chunk.Model ?? string.Empty)
                {
                    Created = UnixSeconds.ToTime(chunk.Created),
                };
            }

            var choice = chunk.Choices is { Count: > 0 } choices ? choices[0] : null;
            if (choice?.Delta is { } delta)
            {
                events.Clear();
                if (delta.ReasoningContent is { Length: > 0 } reasoning)
                {
                    Switch(PartKind.Reasoning);
                    events.Add(new ReasoningDelta(openPart!.Value, reasoning));
                }

                if (delta.Content is { Length: > 0 } text)
                {
                    Switch(PartKind.Text);
                    events.Add(new TextDelta(openPart!.Value, text));
                }

                if (CitationsToCanonicalOrNull(delta) is { } citations && openPart is int citedPart && openKind == PartKind.Text)
                {
                    foreach (var citation in citations)
                    {
                        events.Add(new CitationAdded(citedPart, citation));
                    }
                }

                if (delta.Refusal is { Length: > 0 } refusal)
                {
                    Switch(PartKind.Refusal);
                    events.Add(new RefusalDelta(openPart!.Value, refusal));
                }

                // A null entry carries nothing; skip it rather than fail the stream.
                foreach (var call in delta.ToolCalls ?? NoToolCalls)
                {
                    if (call is null)
                    {
                        continue;
                    }

                    var toolIndex = call.Index ?? toolParts.Count;
                    if (!toolParts.TryGetValue(toolIndex, out var part))
                    {
                        Close();
                        part = nextPart++;
                        toolParts[toolIndex] = part;
                        openPart = part;
                        openKind = PartKind.ToolCall;
                        events.Add(new PartStarted(part, PartKind.ToolCall) { ToolCallId = call.Id, ToolName = call.Function?.Name });
                    }

                    if (call.Function?.Arguments is { Length: > 0 } arguments)
                    {
                        events.Add(new ToolArgumentsDelta(part, arguments));
                    }
                }

                foreach (var item in events)
                {
                    yield return item;
                }
            }

            if (choice?.FinishReason is { } reason)
            {
                finish = ChatCompletionsMapping.FinishReasonToCanonical(reason);
                if (openPart is int last)
                {
                    openPart = null;
                    yield return new PartCompleted(last);
                }
            }

            if (chunk.Usage is { } wireUsage)
            {
                usage = ChatCompletionsMapping.ToCanonical(wireUsage);
                yield return new UsageUpdated(usage);
            }
        }

        if (!started || finish is null)
        {
            yield return new ResponseFailed(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream closed the stream before it finished.") { Code = "upstream_error" });
            yield break;
        }

        if (openPart is int open)
        {
            yield return new PartCompleted(open);
        }

        yield return new ResponseCompleted(finish.Value, usage);

        static List<Citation>? CitationsToCanonicalOrNull(ChatChunkDeltaWire delta) => ChatCompletionsMapping.CitationsToCanonical(delta.Annotations);

        void Switch(PartKind kind)
        {
            if (openPart is not null && openKind == kind)
            {
                return;
            }

            Close();
            openPart = nextPart++;
            openKind = kind;
            events.Add(new PartStarted(openPart.Value, kind));
        }

        void Close()
        {
            if (openPart is int part)
            {
                events.Add(new PartCompleted(part));
                openPart = null;
            }
        }
    }
}
