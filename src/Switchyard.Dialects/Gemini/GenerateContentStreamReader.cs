using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Gemini;

/// <summary>
/// <c>streamGenerateContent?alt=sse</c> chunks to neutral events. Gemini sends each function call
/// whole in one chunk; it becomes a complete start / arguments / end sequence so other writers can
/// stream it properly. The stream has no terminator: it is complete once a finish reason arrived.
/// </summary>
internal static class GenerateContentStreamReader
{
    public static async IAsyncEnumerable<StreamEvent> ReadAsync(
        IAsyncEnumerable<SseFrame> frames,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = false;
        var nextPart = 0;
        int? openPart = null;
        var openKind = PartKind.Text;
        var calledTools = false;
        string? finish = null;
        var usage = Usage.Empty;
        var events = new List<StreamEvent>(8);
        var callIndex = 0;
        var openText = new System.Text.StringBuilder();
        var searches = 0;

        await foreach (var frame in frames.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (frame.Data.IsEmpty)
            {
                continue;
            }

            GenerateContentResponseWire? chunk;
            try
            {
                chunk = JsonSerializer.Deserialize(frame.Data.Span, GeminiJsonContext.Default.GenerateContentResponseWire);
            }
            catch (JsonException)
            {
                chunk = null;
            }

            if (chunk is null)
            {
                yield return new ResponseFailed(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed stream chunk.") { Code = "upstream_error" });
                yield break;
            }

            if (chunk.Error is { } error)
            {
                yield return new ResponseFailed(UpstreamErrors.FromStatus(error.Code ?? 502, error.Message));
                yield break;
            }

            if (!started)
            {
                started = true;
                yield return new ResponseStarted(chunk.ResponseId ?? string.Empty, chunk.ModelVersion ?? string.Empty);
            }

            events.Clear();
            var candidate = chunk.Candidates is { Count: > 0 } candidates ? candidates[0] : null;
            foreach (var part in candidate?.Content?.Parts ?? [])
            {
                if (part is null)
                {
                    continue;
                }

                var signature = part.ThoughtSignature is { } raw ? ReasoningSignature.Wrap(GenerateContentMapping.GeminiSource, raw) : null;
                if (part.FunctionCall is { } call)
                {
                    Close();
                    if (signature is not null)
                    {
                        SignatureOnly(signature);
                    }

                    var index = nextPart++;
                    var arguments = call.Args?.GetRawText() ?? "{}";
                    var name = call.Name ?? string.Empty;
                    calledTools = true;
                    events.Add(new PartStarted(index, PartKind.ToolCall)
                    {
                        ToolCallId = call.Id ?? GenerateContentMapping.SynthesizedId(chunk.ResponseId, callIndex++, name, arguments),
                        ToolName = name,
                    });
                    events.Add(new ToolArgumentsDelta(index, arguments));
                    events.Add(new PartCompleted(index));
                }
                else if (part.Thought == true)
                {
                    Switch(PartKind.Reasoning);
                    events.Add(new ReasoningDelta(openPart!.Value, part.Text ?? string.Empty) { Signature = signature });
                }
                else if (part.Text is { } text)
                {
                    if (signature is not null)
                    {
                        Close();
                        SignatureOnly(signature);
                    }

                    if (text.Length > 0)
                    {
                        Switch(PartKind.Text);
                        openText.Append(text);
                        events.Add(new TextDelta(openPart!.Value, text));
                    }
                }
            }

            if (candidate?.GroundingMetadata is { } grounding)
            {
                // Supports cite the text streamed so far; searches and sources leave as whole parts.
                if (openPart is int textPart && openKind == PartKind.Text)
                {
                    var text = openText.ToString();
                    foreach (var support in grounding.GroundingSupports ?? [])
                    {
                        if (support?.Segment is { } segment)
                        {
                            var (start, end) = Grounding.Span(text, segment);
                            events.AddRange(Grounding.Citations(grounding, support, start, end).Select(c => new CitationAdded(textPart, c)));
                        }
                    }
                }

                foreach (var found in Grounding.Searches(grounding, chunk.ResponseId))
                {
                    searches += found is ServerToolCallPart ? 1 : 0;
                    events.Add(new PartAdded(nextPart++, found));
                }
            }

            foreach (var item in events)
            {
                yield return item;
            }

            if (chunk.UsageMetadata is { } metadata)
            {
                usage = GenerateContentMapping.ToCanonical(metadata) with { WebSearchCalls = searches };
                yield return new UsageUpdated(usage);
            }

            if (candidate?.FinishReason is { } reason)
            {
                finish = reason;
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

        yield return new ResponseCompleted(GenerateContentMapping.FinishReasonToCanonical(finish, calledTools), usage);

        void Switch(PartKind kind)
        {
            if (openPart is not null && openKind == kind)
            {
                return;
            }

            Close();
            openPart = nextPart++;
            openKind = kind;
            openText.Clear();
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

        void SignatureOnly(string signature)
        {
            var index = nextPart++;
            events.Add(new PartStarted(index, PartKind.Reasoning));
            events.Add(new ReasoningDelta(index, string.Empty) { Signature = signature });
            events.Add(new PartCompleted(index));
        }
    }
}
