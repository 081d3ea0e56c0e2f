using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.OpenAI.Chat;

/// <summary>
/// Neutral events to <c>chat.completion.chunk</c> frames and <c>data: [DONE]</c>. Usage rides on the
/// finish chunk unless the client asked for a separate usage chunk (docs/behaviour.md), so clients that
/// index <c>choices[0]</c> never meet an empty array they did not ask for.
/// </summary>
internal static class ChatCompletionsStreamWriter
{
    private static readonly byte[] Done = "[DONE]"u8.ToArray();

    public static async IAsyncEnumerable<SseFrame> WriteAsync(
        IAsyncEnumerable<StreamEvent> events,
        StreamWriteOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var toolIndexes = new Dictionary<int, int>();
        var usage = Usage.Empty;

        // Free-form calls go out whole when their part completes (their input is only known then);
        // citations need the offset of their part in the content streamed so far.
        var freeForm = new Dictionary<int, (int ToolIndex, string Id, string Name, System.Text.StringBuilder Arguments)>();
        var streamedText = 0;
        var textStarts = new Dictionary<int, int>();

        // Reasoning text and signatures per part, to send the signed block whole when the part ends.
        var reasoning = new Dictionary<int, (System.Text.StringBuilder Text, string? Signature, string? Redacted)>();

        await foreach (var item in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            switch (item)
            {
                case ResponseStarted started:
                    if (started.Id.Length > 0)
                    {
                        id = started.Id;
                    }

                    created = started.Created.ToUnixTimeSeconds();
                    usage = started.Usage ?? usage;
                    yield return Chunk(id, created, options.Model, 0, static (w, _) =>
                    {
                        w.WriteString("role"u8, "assistant"u8);
                        w.WriteString("content"u8, ""u8);
                    });
                    break;

                case PartStarted { Kind: PartKind.ToolCall, FreeForm: true } part:
                    freeForm[part.Index] = (toolIndexes.Count + freeForm.Count, part.ToolCallId ?? string.Empty, part.ToolName ?? string.Empty, new System.Text.StringBuilder());
                    break;

                case ToolArgumentsDelta arguments when freeForm.TryGetValue(arguments.Index, out var custom):
                    custom.Arguments.Append(arguments.Json);
                    break;

                case PartCompleted completed when freeForm.Remove(completed.Index, out var custom):
                    var customInput = ToolCallPart.FreeFormInputOf(custom.Arguments.ToString());
                    yield return Chunk(id, created, options.Model, (custom.ToolIndex, custom.Id, custom.Name, customInput), static (w, s) => WriteCustomCall(w, s.ToolIndex, s.Id, s.Name, s.customInput));
                    break;

                case PartStarted { Kind: PartKind.ToolCall } part:
                    var toolIndex = toolIndexes.Count + freeForm.Count;
                    toolIndexes[part.Index] = toolIndex;
                    yield return Chunk(id, created, options.Model, (toolIndex, part), static (w, s) => WriteToolCall(w, s.toolIndex, s.part.ToolCallId ?? string.Empty, s.part.ToolName ?? string.Empty, string.Empty));
                    break;

                case PartStarted { Kind: PartKind.Text } textPart:
                    textStarts[textPart.Index] = streamedText;
                    break;

                case TextDelta text:
                    streamedText += text.Text.Length;
                    yield return Chunk(id, created, options.Model, text.Text, static (w, text) => w.WriteString("content"u8, text));
                    break;

                case CitationAdded cited:
                    var start = textStarts.GetValueOrDefault(cited.Index);
                    var end = streamedText;
                    yield return Chunk(id, created, options.Model, (cited.Citation, start, end), static (w, s) =>
                    {
                        w.WriteStartArray("annotations"u8);
                        ChatCompletionsResponseWriter.WriteAnnotation(w, s.Citation, s.start, s.end);
                        w.WriteEndArray();
                    });
                    break;

                case ReasoningDelta thought:
                    if (!reasoning.TryGetValue(thought.Index, out var state))
                    {
                        state = (new System.Text.StringBuilder(), null, null);
                    }

                    state.Text.Append(thought.Text);
                    reasoning[thought.Index] = (state.Text, state.Signature + thought.Signature is { Length: > 0 } sig ? sig : null, thought.RedactedData ?? state.Redacted);
                    if (thought.Text.Length > 0)
                    {
                        yield return Chunk(id, created, options.Model, thought.Text, static (w, text) => w.WriteString("reasoning_content"u8, text));
                    }

                    break;

                case PartCompleted completed when reasoning.Remove(completed.Index, out var done) && (done.Signature is not null || done.Redacted is not null):
                    var block = new ReasoningPart(done.Text.ToString()) { Signature = done.Signature, RedactedData = done.Redacted };
                    yield return Chunk(id, created, options.Model, block, static (w, block) => ChatCompletionsResponseWriter.WriteThinkingBlocks(w, [block]));
                    break;

                case RefusalDelta refusal:
                    yield return Chunk(id, created, options.Model, refusal.Text, static (w, text) => w.WriteString("refusal"u8, text));
                    break;

                case ToolArgumentsDelta arguments when toolIndexes.TryGetValue(arguments.Index, out var index):
                    yield return Chunk(id, created, options.Model, (index, arguments.Json), static (w, s) => WriteToolCall(w, s.index, null, null, s.Json));
                    break;

                case UsageUpdated updated:
                    usage = updated.Usage;
                    break;

                case ResponseCompleted completed:
                    var finish = ChatCompletionsMapping.FinishReasonFromCanonical(completed.FinishReason);
                    var final = completed.Usage;
                    yield return Chunk(id, created, options.Model, 0, static (_, _) => { }, finish, options.IncludeUsageChunk ? null : final);
                    if (options.IncludeUsageChunk)
                    {
                        yield return UsageChunk(id, created, options.Model, final);
                    }

                    yield return SseFrame.FromData(Done);
                    yield break;

                case ResponseFailed failed:
                    // The error frame is the last event: no [DONE] after it (docs/behaviour.md).
                    var writer = ScratchJson.Start();
                    writer.WriteStartObject();
                    OpenAIErrors.WriteErrorObject(writer, failed.Error);
                    writer.WriteEndObject();
                    yield return SseFrame.FromData(ScratchJson.Finish(writer));
                    yield break;
            }
        }
    }

    private static void WriteCustomCall(Utf8JsonWriter writer, int index, string id, string name, string input)
    {
        writer.WriteStartArray("tool_calls"u8);
        writer.WriteStartObject();
        writer.WriteNumber("index"u8, index);
        writer.WriteString("id"u8, id);
        writer.WriteString("type"u8, "custom"u8);
        writer.WriteStartObject("custom"u8);
        writer.WriteString("name"u8, name);
        writer.WriteString("input"u8, input);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndArray();
    }

    private static void WriteToolCall(Utf8JsonWriter writer, int index, string? id, string? name, string arguments)
    {
        writer.WriteStartArray("tool_calls"u8);
        writer.WriteStartObject();
        writer.WriteNumber("index"u8, index);
        if (id is not null)
        {
            writer.WriteString("id"u8, id);
            writer.WriteString("type"u8, "function"u8);
        }

        writer.WriteStartObject("function"u8);
        if (name is not null)
        {
            writer.WriteString("name"u8, name);
        }

        writer.WriteString("arguments"u8, arguments);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndArray();
    }

    /// <summary>
    /// A chunk whose delta <paramref name="writeDelta"/> writes from <paramref name="state"/>: static
    /// bodies and the thread's writer, so a chunk costs its bytes and no closure, writer or buffer.
    /// </summary>
    private static SseFrame Chunk<TState>(string id, long created, string model, TState state, Action<Utf8JsonWriter, TState> writeDelta, string? finishReason = null, Usage? usage = null)
    {
        var w = ScratchJson.Start();
        WriteChunkHeader(w, id, created, model);
        w.WriteStartArray("choices"u8);
        w.WriteStartObject();
        w.WriteNumber("index"u8, 0);
        w.WriteStartObject("delta"u8);
        writeDelta(w, state);
        w.WriteEndObject();
        ChatCompletionsResponseWriter.EndChunkChoice(w, finishReason, usage);
        w.WriteEndObject();
        return SseFrame.FromData(ScratchJson.Finish(w));
    }

    private static SseFrame UsageChunk(string id, long created, string model, Usage usage)
    {
        var w = ScratchJson.Start();
        WriteChunkHeader(w, id, created, model);
        w.WriteStartArray("choices"u8);
        w.WriteEndArray();
        ChatCompletionsResponseWriter.WriteUsage(w, usage);
        w.WriteEndObject();
        return SseFrame.FromData(ScratchJson.Finish(w));
    }

    private static void WriteChunkHeader(Utf8JsonWriter writer, string id, long created, string model)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, id);
        writer.WriteString("object"u8, "chat.completion.chunk"u8);
        writer.WriteNumber("created"u8, created);
        writer.WriteString("model"u8, model);
    }
}
