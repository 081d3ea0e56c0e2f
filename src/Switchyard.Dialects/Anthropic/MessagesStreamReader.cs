using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Anthropic;

/// <summary>
/// Anthropic stream events to neutral events. Block indexes become part indexes; blocks the
/// neutral model has no place for (server tool use and results) are skipped with their deltas.
/// The forced structured-output tool's input streams as text.
/// </summary>
internal static class MessagesStreamReader
{
    public static async IAsyncEnumerable<StreamEvent> ReadAsync(
        IAsyncEnumerable<SseFrame> frames,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var usage = Usage.Empty;
        FinishReason? finish = null;
        var started = false;
        var jsonOutputBlocks = new HashSet<int>();
        var skipped = new HashSet<int>();

        // Server tool calls arrive as blocks with streamed input; they leave whole (PartAdded).
        var serverCalls = new Dictionary<int, (ContentBlockWire Block, System.Text.StringBuilder Input)>();

        // Text blocks' lengths and citations: a citation supports its whole block, known at its stop.
        var textLengths = new Dictionary<int, int>();
        var citations = new Dictionary<int, List<CitationWire>>();

        await foreach (var frame in frames.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (frame.Data.IsEmpty)
            {
                continue;
            }

            StreamEventWire? wire;
            try
            {
                wire = JsonSerializer.Deserialize(frame.Data.Span, AnthropicJsonContext.Default.StreamEventWire);
            }
            catch (JsonException)
            {
                wire = null;
            }

            if (wire?.Type is null)
            {
                yield return new ResponseFailed(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed stream event.") { Code = "upstream_error" });
                yield break;
            }

            switch (wire.Type)
            {
                case "message_start" when wire.Message is { } message:
                    started = true;
                    usage = MessagesMapping.ToCanonical(message.Usage);
                    yield return new ResponseStarted(message.Id ?? string.Empty, message.Model ?? string.Empty) { Usage = usage };
                    break;

                case "content_block_start" when wire.Index is int index && wire.ContentBlock is { } block:
                    switch (block.Type)
                    {
                        case "text":
                            textLengths[index] = block.Text?.Length ?? 0;
                            yield return new PartStarted(index, PartKind.Text);
                            if (block.Text is { Length: > 0 } initial)
                            {
                                yield return new TextDelta(index, initial);
                            }

                            break;
                        case "server_tool_use":
                            serverCalls[index] = (block, new System.Text.StringBuilder());
                            break;
                        case "web_search_tool_result" when block.ToolUseId is { } searchId:
                            skipped.Add(index);
                            yield return new PartAdded(index, MessagesMapping.ServerToolResultToCanonical(block, searchId));
                            break;
                        case "tool_use" when block.Name == MessagesMapping.JsonOutputTool:
                            jsonOutputBlocks.Add(index);
                            yield return new PartStarted(index, PartKind.Text);
                            break;
                        case "tool_use":
                            yield return new PartStarted(index, PartKind.ToolCall) { ToolCallId = block.Id, ToolName = block.Name };
                            break;
                        case "thinking":
                            yield return new PartStarted(index, PartKind.Reasoning);
                            break;
                        case "redacted_thinking":
                            yield return new PartStarted(index, PartKind.Reasoning);
                            yield return new ReasoningDelta(index, string.Empty) { RedactedData = block.Data };
                            break;
                        default:
                            skipped.Add(index);
                            break;
                    }

                    break;

                case "content_block_delta" when wire.Index is int serverIndex && wire.Delta is { PartialJson: { } partial } && serverCalls.TryGetValue(serverIndex, out var serverCall):
                    serverCall.Input.Append(partial);
                    break;

                case "content_block_stop" when wire.Index is int serverIndex && serverCalls.Remove(serverIndex, out var serverCall):
                    var callBlock = serverCall.Block;
                    if (serverCall.Input.Length > 0)
                    {
                        try
                        {
                            using var input = JsonDocument.Parse(serverCall.Input.ToString());
                            callBlock.Input = input.RootElement.Clone();
                        }
                        catch (JsonException)
                        {
                            // Input cut short: the call is still reported, without it.
                        }
                    }

                    yield return new PartAdded(serverIndex, MessagesMapping.ServerToolCallToCanonical(callBlock));
                    break;

                case "content_block_delta" when wire.Index is int index && wire.Delta is { } delta && !skipped.Contains(index):
                    switch (delta.Type)
                    {
                        case "text_delta" when delta.Text is { Length: > 0 } text:
                            textLengths[index] = textLengths.GetValueOrDefault(index) + text.Length;
                            yield return new TextDelta(index, text);
                            break;
                        case "citations_delta" when delta.Citation is { Type: "web_search_result_location", Url: not null } citation:
                            (citations.TryGetValue(index, out var list) ? list : citations[index] = []).Add(citation);
                            break;
                        case "input_json_delta" when delta.PartialJson is { Length: > 0 } json:
                            yield return jsonOutputBlocks.Contains(index) ? new TextDelta(index, json) : new ToolArgumentsDelta(index, json);
                            break;
                        case "thinking_delta" when delta.Thinking is { Length: > 0 } thinking:
                            yield return new ReasoningDelta(index, thinking);
                            break;
                        case "signature_delta" when delta.Signature is { Length: > 0 } signature:
                            yield return new ReasoningDelta(index, string.Empty) { Signature = signature };
                            break;
                    }

                    break;

                case "content_block_stop" when wire.Index is int index && !skipped.Contains(index):
                    if (citations.Remove(index, out var cited))
                    {
                        foreach (var citation in cited)
                        {
                            yield return new CitationAdded(index, MessagesMapping.CitationToCanonical(citation, textLengths.GetValueOrDefault(index)));
                        }
                    }

                    yield return new PartCompleted(index);
                    break;

                case "message_delta":
                    if (wire.Delta?.StopReason is { } reason)
                    {
                        finish = jsonOutputBlocks.Count > 0 && reason == "tool_use" ? FinishReason.Stop : MessagesMapping.FinishReasonToCanonical(reason);
                    }

                    if (wire.Usage is { } delta2)
                    {
                        // message_delta usage is cumulative; input counts appear there only in newer API versions.
                        usage = usage with
                        {
                            OutputTokens = delta2.OutputTokens ?? usage.OutputTokens,
                            InputTokens = delta2.InputTokens ?? usage.InputTokens,
                            CacheReadTokens = delta2.CacheReadInputTokens ?? usage.CacheReadTokens,
                            CacheWriteTokens = delta2.CacheCreationInputTokens ?? usage.CacheWriteTokens,
                            WebSearchCalls = delta2.ServerToolUse?.WebSearchRequests ?? usage.WebSearchCalls,
                        };
                        yield return new UsageUpdated(usage);
                    }

                    break;

                case "message_stop":
                    if (!started)
                    {
                        break;
                    }

                    yield return new ResponseCompleted(finish ?? FinishReason.Stop, usage);
                    yield break;

                case "error":
                    yield return new ResponseFailed(AnthropicErrors.FromType(502, wire.Error?.Type, wire.Error?.Message));
                    yield break;
            }
        }

        yield return new ResponseFailed(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream closed the stream before it finished.") { Code = "upstream_error" });
    }
}
