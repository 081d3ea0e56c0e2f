using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Bedrock;

/// <summary>
/// ConverseStream events (frames named by their event-stream <c>:event-type</c>, read by
/// <see cref="Framing.AwsEventStreamReader"/>) to neutral events. Converse opens only tool blocks
/// explicitly; a text or reasoning block starts with its first delta. <c>metadata</c> (usage)
/// follows <c>messageStop</c>, so the stream completes on metadata, or at its end once stopped.
/// Exception frames (<c>throttlingException</c>, …) fail the stream.
/// </summary>
internal static class ConverseStreamReader
{
    public static async IAsyncEnumerable<StreamEvent> ReadAsync(
        IAsyncEnumerable<SseFrame> frames,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = false;
        var usage = Usage.Empty;
        FinishReason? finish = null;
        var nextPart = 0;
        var open = new Dictionary<int, OpenBlock>();
        var jsonOutput = false;
        var events = new List<StreamEvent>(4);

        await foreach (var frame in frames.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (BedrockErrors.IsException(frame.EventType))
            {
                yield return new ResponseFailed(BedrockErrors.ReadException(frame.EventType!, frame.Data.Span));
                yield break;
            }

            events.Clear();
            if (!started && frame.EventType is not null and not "metadata")
            {
                started = true;
                events.Add(new ResponseStarted(string.Empty, string.Empty));
            }

            var understood = true;
            switch (frame.EventType)
            {
                case "messageStart":
                    understood = Parse(frame, ConverseJsonContext.Default.MessageStartEventWire) is not null;
                    break;

                case "contentBlockStart" when Parse(frame, ConverseJsonContext.Default.ContentBlockStartEventWire) is { ContentBlockIndex: int index } start:
                    if (start.Start?.ToolUse is { } tool)
                    {
                        var json = tool.Name == ConverseMapping.JsonOutputTool;
                        jsonOutput |= json;
                        Open(index, json ? PartKind.Text : PartKind.ToolCall, json, tool.ToolUseId, tool.Name);
                    }

                    break;

                case "contentBlockDelta" when Parse(frame, ConverseJsonContext.Default.ContentBlockDeltaEventWire) is { ContentBlockIndex: int index, Delta: { } delta }:
                    if (delta.Text is { } text)
                    {
                        var block = Open(index, PartKind.Text, json: false, null, null);
                        if (text.Length > 0)
                        {
                            events.Add(new TextDelta(block.Part, text));
                        }
                    }
                    else if (delta.ToolUse?.Input is { } fragment)
                    {
                        var block = Open(index, PartKind.ToolCall, json: false, null, null);
                        if (fragment.Length > 0)
                        {
                            events.Add(block.Json ? new TextDelta(block.Part, fragment) : new ToolArgumentsDelta(block.Part, fragment));
                        }
                    }
                    else if (delta.ReasoningContent is { } reasoning)
                    {
                        var block = Open(index, PartKind.Reasoning, json: false, null, null);
                        if (reasoning.Text is { Length: > 0 } thought)
                        {
                            events.Add(new ReasoningDelta(block.Part, thought));
                        }

                        if (ConverseMapping.WrapSignature(reasoning.Signature) is { } signature)
                        {
                            events.Add(new ReasoningDelta(block.Part, string.Empty) { Signature = signature });
                        }

                        if (reasoning.RedactedContent is { Length: > 0 } redacted)
                        {
                            events.Add(new ReasoningDelta(block.Part, string.Empty) { RedactedData = redacted });
                        }
                    }

                    break;

                case "contentBlockStop" when Parse(frame, ConverseJsonContext.Default.ContentBlockStopEventWire) is { ContentBlockIndex: int index }:
                    if (open.Remove(index, out var stopped))
                    {
                        events.Add(new PartCompleted(stopped.Part));
                    }

                    break;

                case "messageStop" when Parse(frame, ConverseJsonContext.Default.MessageStopEventWire) is { } stop:
                    finish = jsonOutput && stop.StopReason == "tool_use" ? FinishReason.Stop : ConverseMapping.FinishReasonToCanonical(stop.StopReason);
                    break;

                case "metadata" when Parse(frame, ConverseJsonContext.Default.MetadataEventWire) is { } metadata:
                    if (metadata.Usage is { } counted)
                    {
                        usage = ConverseMapping.ToCanonical(counted);
                        events.Add(new UsageUpdated(usage));
                    }

                    break;

                case "messageStart" or "contentBlockStart" or "contentBlockDelta" or "contentBlockStop" or "messageStop" or "metadata":
                    understood = false;
                    break;
            }

            if (!understood)
            {
                yield return new ResponseFailed(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed stream event.") { Code = "upstream_error" });
                yield break;
            }

            foreach (var item in events)
            {
                yield return item;
            }

            if (frame.EventType == "metadata" && started && finish is FinishReason done)
            {
                foreach (var item in Complete(done))
                {
                    yield return item;
                }

                yield break;
            }
        }

        if (!started || finish is not FinishReason reason)
        {
            yield return new ResponseFailed(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream closed the stream before it finished.") { Code = "upstream_error" });
            yield break;
        }

        foreach (var item in Complete(reason))
        {
            yield return item;
        }

        OpenBlock Open(int index, PartKind kind, bool json, string? toolCallId, string? toolName)
        {
            if (open.TryGetValue(index, out var existing))
            {
                return existing;
            }

            var block = new OpenBlock(nextPart++, json);
            open[index] = block;
            var call = kind == PartKind.ToolCall;
            events.Add(new PartStarted(block.Part, kind) { ToolCallId = call ? toolCallId : null, ToolName = call ? toolName : null });
            return block;
        }

        IEnumerable<StreamEvent> Complete(FinishReason reason)
        {
            // Blocks Bedrock left open are closed in the order they started.
            foreach (var block in open.Values.OrderBy(b => b.Part))
            {
                yield return new PartCompleted(block.Part);
            }

            open.Clear();
            yield return new ResponseCompleted(reason, usage);
        }
    }

    private static T? Parse<T>(SseFrame frame, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(frame.Data.Span, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private readonly record struct OpenBlock(int Part, bool Json);
}
