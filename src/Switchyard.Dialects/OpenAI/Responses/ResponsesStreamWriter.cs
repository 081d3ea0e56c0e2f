using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.OpenAI.Responses;

/// <summary>
/// Neutral events to the Responses event grammar with sequence numbers: <c>response.created</c>,
/// <c>response.in_progress</c>, then per item <c>output_item.added</c> … <c>output_item.done</c>
/// (text through <c>content_part.*</c> and <c>output_text.*</c>, calls through
/// <c>function_call_arguments.*</c>, reasoning through <c>reasoning_summary_*</c>), and
/// <c>response.completed</c> / <c>response.incomplete</c> / <c>response.failed</c>. Every item added
/// is also done, in order.
/// </summary>
internal static class ResponsesStreamWriter
{
    public static async IAsyncEnumerable<SseFrame> WriteAsync(
        IAsyncEnumerable<StreamEvent> events,
        StreamWriteOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var state = new State(options);
        await foreach (var item in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            foreach (var frame in state.On(item))
            {
                yield return frame;
            }

            if (state.Finished)
            {
                yield break;
            }
        }
    }

    private sealed class State(StreamWriteOptions options)
    {
        private readonly List<OutputItem> _items = [];
        private readonly Dictionary<int, OutputItem> _byPart = [];
        private readonly string _id = options.ResponseId ?? OutputItem.NewId("resp_");
        private long _createdAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        private int _sequence;
        private OutputItem? _message;
        private Usage _usage = Usage.Empty;

        public bool Finished { get; private set; }

        public IEnumerable<SseFrame> On(StreamEvent item)
        {
            switch (item)
            {
                case ResponseStarted started:
                    _createdAt = started.Created.ToUnixTimeSeconds();
                    yield return Event("response.created", w => WriteResponse(w, "in_progress"));
                    yield return Event("response.in_progress", w => WriteResponse(w, "in_progress"));
                    break;

                case PartStarted { Kind: PartKind.Text or PartKind.Refusal } part:
                    if (_message is null)
                    {
                        _message = OutputItem.Message();
                        _items.Add(_message);
                        yield return ItemAdded(_message);
                    }

                    var content = new OutputContent(part.Kind == PartKind.Refusal ? "refusal" : "output_text");
                    _message.Contents.Add(content);
                    _byPart[part.Index] = _message;
                    var message = _message;
                    var contentIndex = message.Contents.Count - 1;
                    yield return Event("response.content_part.added", w =>
                    {
                        ItemRef(w, message);
                        w.WriteNumber("content_index"u8, contentIndex);
                        w.WritePropertyName("part"u8);
                        content.Write(w, withText: false);
                    });
                    break;

                case PartStarted { Kind: PartKind.ToolCall } call:
                    foreach (var frame in CloseMessage())
                    {
                        yield return frame;
                    }

                    var callId = call.ToolCallId ?? OutputItem.NewId("call_");
                    var function = call.FreeForm
                        ? OutputItem.CustomToolCall(callId, call.ToolName ?? string.Empty, call.ToolNamespace)
                        : OutputItem.FunctionCall(callId, call.ToolName ?? string.Empty, call.ToolNamespace);
                    _items.Add(function);
                    _byPart[call.Index] = function;
                    yield return ItemAdded(function);
                    break;

                case PartStarted { Kind: PartKind.Reasoning } thought:
                    foreach (var frame in CloseMessage())
                    {
                        yield return frame;
                    }

                    var reasoning = OutputItem.Reasoning(null);
                    _items.Add(reasoning);
                    _byPart[thought.Index] = reasoning;
                    yield return ItemAdded(reasoning);
                    yield return Event("response.reasoning_summary_part.added", w =>
                    {
                        ItemRef(w, reasoning);
                        w.WriteNumber("summary_index"u8, 0);
                        w.WritePropertyName("part"u8);
                        OutputItem.WriteSummary(w, string.Empty);
                    });
                    break;

                case TextDelta text when _byPart.TryGetValue(text.Index, out var target):
                    yield return TextDeltaEvent(target, text.Text);
                    break;

                case RefusalDelta refusal when _byPart.TryGetValue(refusal.Index, out var target):
                    target.Contents[^1].Text.Append(refusal.Text);
                    var refusalIndex = target.Contents.Count - 1;
                    yield return DeltaEvent("response.refusal.delta", target, "content_index", refusalIndex, refusal.Text);
                    break;

                case ToolArgumentsDelta arguments when _byPart.TryGetValue(arguments.Index, out var target):
                    target.Arguments.Append(arguments.Json);

                    // A free-form input is only known whole once its {"input": …} wrapper closes (CompletePart).
                    if (target.Type == "function_call")
                    {
                        yield return DeltaEvent("response.function_call_arguments.delta", target, null, 0, arguments.Json);
                    }

                    break;

                case PartAdded { Part: ServerToolCallPart search } when search.Kind == HostedToolKind.WebSearch:
                    foreach (var frame in CloseMessage())
                    {
                        yield return frame;
                    }

                    var webSearch = OutputItem.WebSearchCall(search.Id, search.Query);
                    _items.Add(webSearch);
                    yield return ItemAdded(webSearch);
                    yield return Event("response.web_search_call.in_progress", w => ItemRef(w, webSearch));
                    yield return Event("response.web_search_call.searching", w => ItemRef(w, webSearch));
                    yield return Event("response.web_search_call.completed", w => ItemRef(w, webSearch));
                    yield return ItemDone(webSearch);
                    break;

                case CitationAdded cited when _byPart.TryGetValue(cited.Index, out var target) && target.Contents.Count > 0:
                    var annotated = target.Contents[^1];
                    annotated.Annotations.Add(cited.Citation);
                    var annotationIndex = annotated.Annotations.Count - 1;
                    var citedIndex = target.Contents.Count - 1;
                    var textLength = annotated.Text.Length;
                    yield return Event("response.output_text.annotation.added", w =>
                    {
                        ItemRef(w, target);
                        w.WriteNumber("content_index"u8, citedIndex);
                        w.WriteNumber("annotation_index"u8, annotationIndex);
                        w.WritePropertyName("annotation"u8);
                        OutputContent.WriteAnnotation(w, cited.Citation, textLength);
                    });
                    break;

                case ReasoningDelta thought when _byPart.TryGetValue(thought.Index, out var target):
                    if (thought.Signature is { } signature)
                    {
                        target.EncryptedContent = ResponsesMapping.CarriedContent(null, signature);
                    }

                    if (thought.Text.Length > 0)
                    {
                        target.Summary.Append(thought.Text);
                        yield return DeltaEvent("response.reasoning_summary_text.delta", target, "summary_index", 0, thought.Text);
                    }

                    break;

                case PartCompleted completed when _byPart.Remove(completed.Index, out var target):
                    foreach (var frame in CompletePart(target))
                    {
                        yield return frame;
                    }

                    break;

                case UsageUpdated updated:
                    _usage = updated.Usage;
                    break;

                case ResponseCompleted done:
                    foreach (var frame in CloseAll())
                    {
                        yield return frame;
                    }

                    _usage = done.Usage;
                    var (status, reason) = ResponseObjectWriter.Status(done.FinishReason);
                    var terminal = Event(status == "completed" ? "response.completed" : "response.incomplete", w => WriteResponse(w, status, reason));
                    options.OnFinalAnswer?.Invoke(ResponseOf(terminal.Data.Span));
                    yield return terminal;
                    Finished = true;
                    break;

                case ResponseFailed failed:
                    // response.failed is the last event: nothing after it (docs/behaviour.md).
                    yield return Event("response.failed", w => WriteResponse(w, "failed", error: failed.Error));
                    Finished = true;
                    break;
            }
        }

        private SseFrame TextDeltaEvent(OutputItem target, string delta)
        {
            target.Contents[^1].Text.Append(delta);
            var contentIndex = target.Contents.Count - 1;
            return DeltaEvent("response.output_text.delta", target, "content_index", contentIndex, delta, logprobs: true);
        }

        private IEnumerable<SseFrame> CompletePart(OutputItem target)
        {
            switch (target.Type)
            {
                case "message":
                    var contentIndex = target.Contents.Count - 1;
                    var content = target.Contents[^1];
                    var text = content.Text;
                    if (content.Type == "output_text")
                    {
                        yield return Event("response.output_text.done", w =>
                        {
                            ItemRef(w, target);
                            w.WriteNumber("content_index"u8, contentIndex);
                            w.WriteString("text"u8, text.ToString());
                            w.WriteStartArray("logprobs"u8);
                            w.WriteEndArray();
                        });
                    }
                    else
                    {
                        yield return Event("response.refusal.done", w =>
                        {
                            ItemRef(w, target);
                            w.WriteNumber("content_index"u8, contentIndex);
                            w.WriteString("refusal"u8, text.ToString());
                        });
                    }

                    yield return Event("response.content_part.done", w =>
                    {
                        ItemRef(w, target);
                        w.WriteNumber("content_index"u8, contentIndex);
                        w.WritePropertyName("part"u8);
                        content.Write(w);
                    });

                    // The message item stays open: a following text part joins it.
                    break;
                case "function_call":
                    yield return Event("response.function_call_arguments.done", w =>
                    {
                        ItemRef(w, target);
                        w.WriteString("name"u8, target.Name);
                        w.WriteString("arguments"u8, target.Arguments.ToString());
                    });
                    yield return ItemDone(target);
                    break;
                case "custom_tool_call":
                    var input = target.Input;
                    yield return Event("response.custom_tool_call_input.delta", w =>
                    {
                        ItemRef(w, target);
                        w.WriteString("delta"u8, input);
                    });
                    yield return Event("response.custom_tool_call_input.done", w =>
                    {
                        ItemRef(w, target);
                        w.WriteString("input"u8, input);
                    });
                    yield return ItemDone(target);
                    break;
                default:
                    var summary = target.Summary.ToString();
                    yield return Event("response.reasoning_summary_text.done", w =>
                    {
                        ItemRef(w, target);
                        w.WriteNumber("summary_index"u8, 0);
                        w.WriteString("text"u8, summary);
                    });
                    yield return Event("response.reasoning_summary_part.done", w =>
                    {
                        ItemRef(w, target);
                        w.WriteNumber("summary_index"u8, 0);
                        w.WritePropertyName("part"u8);
                        OutputItem.WriteSummary(w, summary);
                    });
                    yield return ItemDone(target);
                    break;
            }
        }

        private IEnumerable<SseFrame> CloseMessage()
        {
            if (_message is { } message)
            {
                _message = null;
                yield return ItemDone(message);
            }
        }

        private IEnumerable<SseFrame> CloseAll()
        {
            foreach (var (_, open) in _byPart.ToList())
            {
                foreach (var frame in CompletePart(open))
                {
                    yield return frame;
                }
            }

            _byPart.Clear();
            foreach (var frame in CloseMessage())
            {
                yield return frame;
            }
        }

        private SseFrame ItemAdded(OutputItem item) => Event("response.output_item.added", w =>
        {
            w.WriteNumber("output_index"u8, _items.IndexOf(item));
            w.WritePropertyName("item"u8);
            item.Write(w);
        });

        private SseFrame ItemDone(OutputItem item)
        {
            item.Done = true;
            return Event("response.output_item.done", w =>
            {
                w.WriteNumber("output_index"u8, _items.IndexOf(item));
                w.WritePropertyName("item"u8);
                item.Write(w);
            });
        }

        private void ItemRef(Utf8JsonWriter writer, OutputItem item)
        {
            writer.WriteString("item_id"u8, item.Id);
            writer.WriteNumber("output_index"u8, _items.IndexOf(item));
        }

        private void WriteResponse(Utf8JsonWriter writer, string status, string? incompleteReason = null, GatewayError? error = null)
        {
            writer.WritePropertyName("response"u8);
            var done = status is not "in_progress";
            ResponseObjectWriter.Write(writer, _id, options.Model, _createdAt, status, done ? _items : [], done ? _usage : null, options.Metadata, incompleteReason, error, options.Echo);
        }

        /// <summary>The <c>response</c> object inside a terminal event: the answer a stored conversation keeps.</summary>
        private static byte[] ResponseOf(ReadOnlySpan<byte> data)
        {
            var topLevel = JsonTopLevel.Scan(data);
            return topLevel.TryGet(data, "response"u8, out var response) ? data[response.Value].ToArray() : [];
        }

        private SseFrame Event(string type, Action<Utf8JsonWriter> body) =>
            Event(type, body, static (writer, body) => body(writer));

        /// <summary>
        /// An event whose fields <paramref name="body"/> writes from <paramref name="state"/>, with the
        /// thread's writer (<see cref="ScratchJson"/>): the deltas, one a token, pass their values
        /// rather than capture them, so they cost their bytes and no closure, writer or buffer.
        /// </summary>
        private SseFrame Event<TState>(string type, TState state, Action<Utf8JsonWriter, TState> body)
        {
            var writer = ScratchJson.Start();
            writer.WriteStartObject();
            writer.WriteString("type"u8, type);
            writer.WriteNumber("sequence_number"u8, _sequence++);
            body(writer, state);
            writer.WriteEndObject();
            return new SseFrame(type, ScratchJson.Finish(writer));
        }

        /// <summary>A delta of <paramref name="item"/>: its reference, an index within it (when <paramref name="indexName"/> is given), the text.</summary>
        private SseFrame DeltaEvent(string type, OutputItem item, string? indexName, int index, string delta, bool logprobs = false) =>
            Event(type, (Item: item.Id, Output: _items.IndexOf(item), indexName, index, delta, logprobs), static (w, s) =>
            {
                w.WriteString("item_id"u8, s.Item);
                w.WriteNumber("output_index"u8, s.Output);
                if (s.indexName is not null)
                {
                    w.WriteNumber(s.indexName, s.index);
                }

                w.WriteString("delta"u8, s.delta);
                if (s.logprobs)
                {
                    w.WriteStartArray("logprobs"u8);
                    w.WriteEndArray();
                }
            });
    }
}
