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
                    var callChunk = StartChunk();
                    GenerateContentResponseWriter.WriteFunctionCall(callChunk, call.Id, call.Name, call.Arguments.ToString(), ref pendingSignature);
                    yield return FinishChunk(callChunk, options, id);
                    break;

                case ReasoningDelta thought:
                    pendingSignature = GenerateContentResponseWriter.ThoughtSignature(thought.Signature) ?? pendingSignature;
                    if (thought.Text.Length > 0)
                    {
                        var thoughtChunk = StartChunk();
                        GenerateContentResponseWriter.WriteTextPart(thoughtChunk, thought.Text, ref pendingSignature, thought: true);
                        yield return FinishChunk(thoughtChunk, options, id);
                    }

                    break;

                case TextDelta text:
                    streamed.Append(text.Text);
                    var textChunk = StartChunk();
                    GenerateContentResponseWriter.WriteTextPart(textChunk, text.Text, ref pendingSignature);
                    yield return FinishChunk(textChunk, options, id);
                    break;

                case RefusalDelta refusal:
                    var refusalChunk = StartChunk();
                    GenerateContentResponseWriter.WriteTextPart(refusalChunk, refusal.Text, ref pendingSignature);
                    yield return FinishChunk(refusalChunk, options, id);
                    break;

                case ResponseCompleted done:
                    var all = streamed.ToString();
                    var grounding = new List<(int, string, Citation)>(cited.Count);
                    foreach (var (_, _, citation) in cited)
                    {
                        grounding.Add((0, all, citation));
                    }

                    var lastChunk = StartChunk();
                    GenerateContentResponseWriter.WriteTextPart(lastChunk, string.Empty, ref pendingSignature);
                    yield return FinishChunk(lastChunk, options, id, done, (queries, sources, grounding));
                    yield break;

                case ResponseFailed failed:
                    var errorWriter = ScratchJson.Start();
                    GeminiErrors.WriteEnvelope(errorWriter, failed.Error);
                    yield return SseFrame.FromData(ScratchJson.Finish(errorWriter));
                    yield break;
            }
        }
    }

    /// <summary>
    /// A chunk begun on the thread's JSON writer (<see cref="ScratchJson"/>), up to its parts: the
    /// event's part is written by the loop, then <see cref="FinishChunk"/> ends it. Nothing but the
    /// chunk's bytes is allocated for a token (the loop captures no variable in a closure).
    /// </summary>
    private static Utf8JsonWriter StartChunk()
    {
        var w = ScratchJson.Start();
        GenerateContentResponseWriter.WriteStartToParts(w);
        return w;
    }

    /// <summary>Ends a chunk <see cref="StartChunk"/> began: the last one (<paramref name="done"/>) with its finish reason, grounding and usage.</summary>
    private static SseFrame FinishChunk(Utf8JsonWriter w, StreamWriteOptions options, string id, ResponseCompleted? done = null,
        (List<string> Queries, List<WebSource> Sources, List<(int, string, Citation)> Cited)? grounding = null)
    {
        w.WriteEndArray();
        w.WriteEndObject();
        if (done is not null)
        {
            w.WriteString("finishReason"u8, GenerateContentMapping.FinishReasonFromCanonical(done.FinishReason));
            if (grounding is var (queries, sources, cited))
            {
                Grounding.Write(w, queries, sources, cited);
            }
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
        return SseFrame.FromData(ScratchJson.Finish(w));
    }
}
