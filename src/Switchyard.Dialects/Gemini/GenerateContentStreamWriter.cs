using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Gemini;

/// <summary>
/// Neutral events to <c>GenerateContentResponse</c> chunks. Text and thoughts go out as they
/// arrive; a function call goes out whole when its part completes, as Gemini itself sends them.
/// The last chunk carries the finish reason and usage; a failure is a final <c>{"error":…}</c> chunk.
/// </summary>
internal static class GenerateContentStreamWriter
{
    public static async IAsyncEnumerable<SseFrame> WriteAsync(
        IAsyncEnumerable<StreamEvent> events,
        StreamWriteOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var id = string.Empty;
        var calls = new Dictionary<int, (string Id, string Name, StringBuilder Arguments)>();
        var reasoningParts = new HashSet<int>();
        string? pendingSignature = null;

        // Grounding goes out on the last chunk, as Gemini sends it; citations cite all the text streamed.
        var streamed = new StringBuilder();
        var partStarts = new Dictionary<int, int>();
        var queries = new List<string>();
        var sources = new List<WebSource>();
        var cited = new List<(int, string, Citation)>();

        await foreach (var item in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            switch (item)
            {
                case ResponseStarted started:
                    id = started.Id;
                    break;

                case PartStarted { Kind: PartKind.ToolCall } call:
                    calls[call.Index] = (call.ToolCallId ?? GenerateContentMapping.SynthesizedId(id, call.Index, call.ToolName ?? string.Empty, string.Empty), call.ToolName ?? string.Empty, new StringBuilder());
                    break;

                case PartStarted { Kind: PartKind.Reasoning } reasoning:
                    reasoningParts.Add(reasoning.Index);
                    break;

                case PartStarted { Kind: PartKind.Text } textPart:
                    partStarts[textPart.Index] = streamed.Length;
                    break;

                case CitationAdded citation:
                    var offset = partStarts.GetValueOrDefault(citation.Index);
                    cited.Add((0, string.Empty, citation.Citation with
                    {
                        StartIndex = offset + (citation.Citation.StartIndex ?? 0),
                        EndIndex = citation.Citation.EndIndex is int end ? offset + end : streamed.Length,
                    }));
                    break;

                case PartAdded { Part: ServerToolCallPart { Query: { } query } call } when call.Kind == HostedToolKind.WebSearch:
                    queries.Add(query);
                    break;

                case PartAdded { Part: ServerToolResultPart result }:
                    sources.AddRange(result.Sources);
                    break;

                case ToolArgumentsDelta arguments when calls.TryGetValue(arguments.Index, out var call):
                    call.Arguments.Append(arguments.Json);
                    break;

                case PartCompleted completed when calls.Remove(completed.Index, out var call):
                    yield return Chunk(options, id, w => GenerateContentResponseWriter.WriteFunctionCall(w, call.Id, call.Name, call.Arguments.ToString(), ref pendingSignature));
                    break;

                case ReasoningDelta thought:
                    pendingSignature = GenerateContentResponseWriter.ThoughtSignature(thought.Signature) ?? pendingSignature;
                    if (thought.Text.Length > 0)
                    {
                        yield return Chunk(options, id, w => GenerateContentResponseWriter.WriteTextPart(w, thought.Text, ref pendingSignature, thought: true));
                    }

                    break;

                case TextDelta text:
                    streamed.Append(text.Text);
                    yield return Chunk(options, id, w => GenerateContentResponseWriter.WriteTextPart(w, text.Text, ref pendingSignature));
                    break;

                case RefusalDelta refusal:
                    yield return Chunk(options, id, w => GenerateContentResponseWriter.WriteTextPart(w, refusal.Text, ref pendingSignature));
                    break;

                case ResponseCompleted done:
                    var all = streamed.ToString();
                    var grounding = cited.Select(c => (0, all, c.Item3)).ToList();
                    yield return Chunk(options, id, w => GenerateContentResponseWriter.WriteTextPart(w, string.Empty, ref pendingSignature), done,
                        w => Grounding.Write(w, queries, sources, grounding));
                    yield break;

                case ResponseFailed failed:
                    yield return SseFrame.FromData(Json(w => GeminiErrors.WriteEnvelope(w, failed.Error)));
                    yield break;
            }
        }
    }

    private delegate void PartWriter(Utf8JsonWriter writer);

    private static SseFrame Chunk(StreamWriteOptions options, string id, PartWriter writePart, ResponseCompleted? done = null, Action<Utf8JsonWriter>? writeGrounding = null) =>
        SseFrame.FromData(Json(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("candidates"u8);
            w.WriteStartObject();
            w.WriteStartObject("content"u8);
            w.WriteString("role"u8, "model"u8);
            w.WriteStartArray("parts"u8);
            writePart(w);
            w.WriteEndArray();
            w.WriteEndObject();
            if (done is not null)
            {
                w.WriteString("finishReason"u8, GenerateContentMapping.FinishReasonFromCanonical(done.FinishReason));
                writeGrounding?.Invoke(w);
            }

            w.WriteNumber("index"u8, 0);
            w.WriteEndObject();
            w.WriteEndArray();
            if (done is not null)
            {
                GenerateContentResponseWriter.WriteUsage(w, done.Usage);
            }

            w.WriteString("modelVersion"u8, options.Model);
            if (id.Length > 0)
            {
                w.WriteString("responseId"u8, id);
            }

            w.WriteEndObject();
        }));

    // The thread's writer (ScratchJson), not a writer and buffer a chunk.
    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var writer = ScratchJson.Start();
        write(writer);
        return ScratchJson.Finish(writer);
    }
}
