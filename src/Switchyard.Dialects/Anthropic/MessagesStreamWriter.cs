using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Anthropic;

/// <summary>
/// Neutral events to Anthropic's event grammar: <c>message_start</c>, then for each part a
/// <c>content_block_start</c> / deltas / <c>content_block_stop</c>, then <c>message_delta</c> and
/// <c>message_stop</c>. Blocks are opened and closed strictly in order; a part that arrives while
/// another is open closes it first (OpenAI may put text and a tool call in one chunk).
/// </summary>
internal static class MessagesStreamWriter
{
    public static async IAsyncEnumerable<SseFrame> WriteAsync(
        IAsyncEnumerable<StreamEvent> events,
        StreamWriteOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var blocks = new Dictionary<int, int>();
        int? openBlock = null;
        var openIsReasoning = false;
        var openHasSignature = false;
        var openText = new System.Text.StringBuilder();
        var usage = Usage.Empty;

        await foreach (var item in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            switch (item)
            {
                case ResponseStarted start:
                    usage = start.Usage ?? usage;
                    yield return Event("message_start", (start, options.Model, usage), static (w, s) =>
                    {
                        var (start, model, usage) = s;
                        w.WriteStartObject("message"u8);
                        w.WriteString("id"u8, MessagesResponseWriter.MessageId(start.Id.Length > 0 ? start.Id : Guid.NewGuid().ToString("N")));
                        w.WriteString("type"u8, "message"u8);
                        w.WriteString("role"u8, "assistant"u8);
                        w.WriteString("model"u8, model);
                        w.WriteStartArray("content"u8);
                        w.WriteEndArray();
                        w.WriteNull("stop_reason"u8);
                        w.WriteNull("stop_sequence"u8);
                        MessagesResponseWriter.WriteUsage(w, usage);
                        w.WriteEndObject();
                    });
                    break;

                case PartStarted part:
                    foreach (var frame in Close())
                    {
                        yield return frame;
                    }

                    var index = blocks.Count;
                    blocks[part.Index] = index;
                    openBlock = index;
                    openIsReasoning = part.Kind == PartKind.Reasoning;
                    openHasSignature = false;
                    openText.Clear();
                    yield return Event("content_block_start", (index, part), static (w, s) =>
                    {
                        var (index, part) = s;
                        w.WriteNumber("index"u8, index);
                        w.WriteStartObject("content_block"u8);
                        switch (part.Kind)
                        {
                            case PartKind.ToolCall:
                                w.WriteString("type"u8, "tool_use"u8);
                                w.WriteString("id"u8, ToolIds.Sanitize(part.ToolCallId ?? "toolu_" + index));
                                w.WriteString("name"u8, part.ToolName ?? string.Empty);
                                w.WriteStartObject("input"u8);
                                w.WriteEndObject();
                                break;
                            case PartKind.Reasoning:
                                w.WriteString("type"u8, "thinking"u8);
                                w.WriteString("thinking"u8, ""u8);
                                w.WriteString("signature"u8, ""u8);
                                break;
                            default:
                                w.WriteString("type"u8, "text"u8);
                                w.WriteString("text"u8, ""u8);
                                break;
                        }

                        w.WriteEndObject();
                    });
                    break;

                case TextDelta text when blocks.TryGetValue(text.Index, out var block):
                    if (block == openBlock)
                    {
                        openText.Append(text.Text);
                    }

                    yield return Delta(block, "text_delta"u8, "text"u8, text.Text);
                    break;

                case CitationAdded cited when blocks.TryGetValue(cited.Index, out var block) && block == openBlock:
                    var citedText = openText.ToString();
                    yield return Event("content_block_delta", (block, cited.Citation, citedText), static (w, s) =>
                    {
                        var (block, citation, citedText) = s;
                        w.WriteNumber("index"u8, block);
                        w.WriteStartObject("delta"u8);
                        w.WriteString("type"u8, "citations_delta"u8);
                        w.WritePropertyName("citation"u8);
                        MessagesResponseWriter.WriteCitation(w, citation, citedText);
                        w.WriteEndObject();
                    });
                    break;

                case PartAdded { Part: ServerToolCallPart or ServerToolResultPart } added
                    when added.Part is not ServerToolResultPart result || result.Kind == HostedToolKind.WebSearch:
                    foreach (var frame in Close())
                    {
                        yield return frame;
                    }

                    var addedIndex = blocks.Count;
                    blocks[added.Index] = addedIndex;
                    if (added.Part is ServerToolCallPart serverCall)
                    {
                        // As Anthropic streams it: the block opens with empty input, which then arrives as JSON.
                        yield return Event("content_block_start", (addedIndex, serverCall), static (w, s) =>
                        {
                            w.WriteNumber("index"u8, s.addedIndex);
                            w.WritePropertyName("content_block"u8);
                            MessagesResponseWriter.WriteServerToolUse(w, s.serverCall, withInput: false);
                        });
                        yield return Delta(addedIndex, "input_json_delta"u8, "partial_json"u8, serverCall.InputJson);
                    }
                    else
                    {
                        yield return Event("content_block_start", (addedIndex, Result: (ServerToolResultPart)added.Part), static (w, s) =>
                        {
                            w.WriteNumber("index"u8, s.addedIndex);
                            w.WritePropertyName("content_block"u8);
                            MessagesResponseWriter.WriteServerToolResult(w, s.Result);
                        });
                    }

                    yield return BlockStop(addedIndex);
                    break;

                case RefusalDelta refusal when blocks.TryGetValue(refusal.Index, out var block):
                    yield return Delta(block, "text_delta"u8, "text"u8, refusal.Text);
                    break;

                case ReasoningDelta reasoning when blocks.TryGetValue(reasoning.Index, out var block):
                    if (reasoning.Text.Length > 0)
                    {
                        yield return Delta(block, "thinking_delta"u8, "thinking"u8, reasoning.Text);
                    }

                    if (reasoning.Signature is { Length: > 0 } signature)
                    {
                        openHasSignature = true;
                        yield return Delta(block, "signature_delta"u8, "signature"u8, signature);
                    }

                    break;

                case ToolArgumentsDelta arguments when blocks.TryGetValue(arguments.Index, out var block):
                    yield return Delta(block, "input_json_delta"u8, "partial_json"u8, arguments.Json);
                    break;

                case PartCompleted completed when blocks.TryGetValue(completed.Index, out var block) && block == openBlock:
                    foreach (var frame in Close())
                    {
                        yield return frame;
                    }

                    break;

                case UsageUpdated updated:
                    usage = updated.Usage;
                    break;

                case ResponseCompleted done:
                    foreach (var frame in Close())
                    {
                        yield return frame;
                    }

                    var final = done.Usage;
                    yield return Event("message_delta", (done.FinishReason, final), static (w, s) =>
                    {
                        w.WriteStartObject("delta"u8);
                        w.WriteString("stop_reason"u8, MessagesMapping.FinishReasonFromCanonical(s.FinishReason));
                        w.WriteNull("stop_sequence"u8);
                        w.WriteEndObject();
                        MessagesResponseWriter.WriteUsage(w, s.final);
                    });
                    yield return Event("message_stop", 0, static (_, _) => { });
                    yield break;

                case ResponseFailed failed:
                    // The error event is the last one: no message_stop after it (docs/behaviour.md).
                    yield return new SseFrame("error", Json(failed.Error, static (w, error) => AnthropicErrors.WriteEnvelope(w, error)));
                    yield break;
            }
        }

        IEnumerable<SseFrame> Close()
        {
            if (openBlock is not int block)
            {
                yield break;
            }

            if (openIsReasoning && !openHasSignature)
            {
                // Anthropic clients expect every thinking block signed; see ReasoningSignature.
                yield return Delta(block, "signature_delta"u8, "signature"u8, ReasoningSignature.Wrap(MessagesResponseWriter.ForeignReasoningSource, null));
            }

            openBlock = null;
            yield return BlockStop(block);
        }
    }

    private static SseFrame Delta(int index, ReadOnlySpan<byte> type, ReadOnlySpan<byte> field, string value)
    {
        var writer = ScratchJson.Start();
        writer.WriteStartObject();
        writer.WriteString("type"u8, "content_block_delta"u8);
        writer.WriteNumber("index"u8, index);
        writer.WriteStartObject("delta"u8);
        writer.WriteString("type"u8, type);
        writer.WriteString(field, value);
        writer.WriteEndObject();
        writer.WriteEndObject();
        return new SseFrame("content_block_delta", ScratchJson.Finish(writer));
    }

    private static SseFrame BlockStop(int index) => Event("content_block_stop", index, static (w, index) => w.WriteNumber("index"u8, index));

    /// <summary>
    /// An event of <paramref name="type"/> whose other fields <paramref name="body"/> writes from
    /// <paramref name="state"/>: static bodies, so the loop over the stream's events captures nothing
    /// (a lambda capturing its variables cost a closure object for every event, text deltas too).
    /// </summary>
    private static SseFrame Event<TState>(string type, TState state, Action<Utf8JsonWriter, TState> body)
    {
        var writer = ScratchJson.Start();
        writer.WriteStartObject();
        writer.WriteString("type"u8, type);
        body(writer, state);
        writer.WriteEndObject();
        return new SseFrame(type, ScratchJson.Finish(writer));
    }

    private static byte[] Json<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var writer = ScratchJson.Start();
        write(writer, state);
        return ScratchJson.Finish(writer);
    }
}
