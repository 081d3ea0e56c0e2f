using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.OpenAI.Responses;

/// <summary>
/// Responses events to neutral events: each text content part, function call and reasoning item
/// becomes a part. Encrypted reasoning leaves as a Switchyard signature (source
/// <see cref="ResponsesMapping.EncryptedReasoningSource"/>) so clients of other dialects can return it.
/// </summary>
internal static class ResponsesStreamReader
{
    public static async IAsyncEnumerable<StreamEvent> ReadAsync(
        IAsyncEnumerable<SseFrame> frames,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var nextPart = 0;
        var parts = new Dictionary<string, int>(StringComparer.Ordinal);
        var calledTools = false;
        var usage = Usage.Empty;
        var searches = 0;
        var freeForm = new HashSet<string>(StringComparer.Ordinal);

        await foreach (var frame in frames.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (frame.Data.IsEmpty)
            {
                continue;
            }

            ResponsesEventWire? wire;
            try
            {
                wire = JsonSerializer.Deserialize(frame.Data.Span, ResponsesJsonContext.Default.ResponsesEventWire);
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
                case "response.created" when wire.Response is { } response:
                    yield return new ResponseStarted(response.Id ?? string.Empty, response.Model ?? string.Empty)
                    {
                        Created = UnixSeconds.ToTime(response.CreatedAt),
                    };
                    break;

                case "response.output_item.added" when wire.Item is { Id: { } id } item && item.Type is "function_call" or "custom_tool_call" or "reasoning":
                    var index = nextPart++;
                    parts[id] = index;
                    if (item.Type == "reasoning")
                    {
                        yield return new PartStarted(index, PartKind.Reasoning);
                        break;
                    }

                    calledTools = true;
                    yield return new PartStarted(index, PartKind.ToolCall) { ToolCallId = item.CallId, ToolName = item.Name, ToolNamespace = item.Namespace, FreeForm = item.Type == "custom_tool_call" };
                    if (item.Type == "custom_tool_call")
                    {
                        // Free-form input travels in the neutral stream as {"input": text} (see PartStarted.FreeForm).
                        freeForm.Add(id);
                        yield return new ToolArgumentsDelta(index, "{\"" + FreeFormInput.ArgumentName + "\":\"");
                    }

                    break;

                case "response.custom_tool_call_input.delta" when wire.ItemId is { } itemId && parts.TryGetValue(itemId, out var customPart) && wire.Delta is { Length: > 0 } input:
                    yield return new ToolArgumentsDelta(customPart, JsonSerializer.Serialize(input, DialectsJsonContext.Default.String)[1..^1]);
                    break;

                case "response.output_item.done" when wire.Item is { Type: "web_search_call" } search:
                    searches++;
                    yield return new PartAdded(nextPart++, ResponsesMapping.WebSearchCallToCanonical(search));
                    break;

                case "response.output_text.annotation.added" when wire.ItemId is { } itemId
                    && parts.TryGetValue($"{itemId}#{wire.ContentIndex}", out var citedPart) && wire.Annotation is { Type: "url_citation", Url: not null } annotation:
                    yield return new CitationAdded(citedPart, ResponsesMapping.CitationToCanonical(annotation));
                    break;

                case "response.content_part.added" when wire.ItemId is { } itemId:
                    var textIndex = nextPart++;
                    parts[$"{itemId}#{wire.ContentIndex}"] = textIndex;
                    yield return new PartStarted(textIndex, PartKind.Text);
                    break;

                case "response.output_text.delta" or "response.refusal.delta" when wire.ItemId is { } itemId
                    && parts.TryGetValue($"{itemId}#{wire.ContentIndex}", out var textPart) && wire.Delta is { Length: > 0 } text:
                    yield return new TextDelta(textPart, text);
                    break;

                case "response.content_part.done" when wire.ItemId is { } itemId && parts.Remove($"{itemId}#{wire.ContentIndex}", out var donePart):
                    yield return new PartCompleted(donePart);
                    break;

                case "response.function_call_arguments.delta" when wire.ItemId is { } itemId && parts.TryGetValue(itemId, out var callPart) && wire.Delta is { Length: > 0 } json:
                    yield return new ToolArgumentsDelta(callPart, json);
                    break;

                case "response.reasoning_summary_text.delta" when wire.ItemId is { } itemId && parts.TryGetValue(itemId, out var thoughtPart) && wire.Delta is { Length: > 0 } thought:
                    yield return new ReasoningDelta(thoughtPart, thought);
                    break;

                case "response.reasoning_summary_part.added" when wire.SummaryIndex > 0 && wire.ItemId is { } itemId && parts.TryGetValue(itemId, out var summaryPart):
                    // Each summary part is a paragraph; a whole response joins them the same way (ResponsesMapping).
                    yield return new ReasoningDelta(summaryPart, "\n\n");
                    break;

                case "response.output_item.done" when wire.Item is { Id: { } id } item && parts.Remove(id, out var itemPart):
                    if (item.Type == "reasoning" && item.EncryptedContent is { } encrypted)
                    {
                        yield return new ReasoningDelta(itemPart, string.Empty) { Signature = ResponsesMapping.EncryptedReasoningSignature(id, encrypted) };
                    }

                    if (freeForm.Remove(id))
                    {
                        yield return new ToolArgumentsDelta(itemPart, "\"}");
                    }

                    yield return new PartCompleted(itemPart);
                    break;

                case "response.completed" or "response.incomplete" when wire.Response is { } response:
                    usage = ResponsesMapping.ToCanonical(response.Usage) with { WebSearchCalls = Math.Max(searches, ResponsesMapping.WebSearchCalls(response)) };
                    yield return new UsageUpdated(usage);
                    yield return new ResponseCompleted(ResponsesMapping.FinishReasonToCanonical(response.Status, response.IncompleteDetails?.Reason, calledTools), usage);
                    yield break;

                case "response.failed":
                    yield return new ResponseFailed(UpstreamErrors.FromStatus(502, wire.Response?.Error?.Message));
                    yield break;

                case "error":
                    yield return new ResponseFailed(UpstreamErrors.FromStatus(wire.Code is "rate_limit_exceeded" ? 429 : 502, wire.Message));
                    yield break;
            }
        }

        yield return new ResponseFailed(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream closed the stream before it finished.") { Code = "upstream_error" });
    }
}
