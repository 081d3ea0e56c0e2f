using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Dialects.Gemini;

/// <summary>
/// Google Search grounding (https://ai.google.dev/gemini-api/docs/google-search) to and from the
/// neutral model: each of <c>webSearchQueries</c> is a provider-run search, <c>groundingChunks</c>
/// are its sources, and each <c>groundingSupports</c> entry cites sources for a segment of the text.
/// Segments are located by their text where it is given, else by their UTF-8 byte offsets.
/// </summary>
internal static class Grounding
{
    /// <summary>Adds the searches, their sources and the text's citations to <paramref name="parts"/>; returns the number of searches.</summary>
    public static int Apply(GroundingMetadataWire grounding, List<ContentPart> parts, string? responseId)
    {
        var texts = parts.Select((part, index) => (part, index)).Where(p => p.part is TextPart).ToList();
        var citations = new Dictionary<int, List<Citation>>();
        foreach (var support in grounding.GroundingSupports ?? [])
        {
            if (support?.Segment is not { } segment)
            {
                continue;
            }

            var target = segment.Text is { Length: > 0 } quoted
                ? texts.FirstOrDefault(t => ((TextPart)t.part).Text.Contains(quoted, StringComparison.Ordinal))
                : default;
            if (target.part is null)
            {
                var ordinal = Math.Clamp(segment.PartIndex ?? 0, 0, Math.Max(0, texts.Count - 1));
                if (texts.Count == 0)
                {
                    break;
                }

                target = texts[ordinal];
            }

            var text = ((TextPart)target.part).Text;
            var (start, end) = Span(text, segment);
            foreach (var citation in Citations(grounding, support, start, end))
            {
                (citations.TryGetValue(target.index, out var list) ? list : citations[target.index] = []).Add(citation);
            }
        }

        foreach (var (index, list) in citations)
        {
            var part = (TextPart)parts[index];
            parts[index] = part with { Citations = [.. part.Citations ?? [], .. list] };
        }

        var found = Searches(grounding, responseId);
        parts.InsertRange(0, found);
        return found.Count(p => p is ServerToolCallPart);
    }

    /// <summary>The searches as provider-run calls, then one result holding every source.</summary>
    public static List<ContentPart> Searches(GroundingMetadataWire grounding, string? responseId)
    {
        var queries = grounding.WebSearchQueries?.Where(q => q is not null).ToList() ?? [];
        var sources = (grounding.GroundingChunks ?? []).Where(c => c?.Web?.Uri is not null)
            .Select(c => new WebSource(c.Web!.Uri!) { Title = c.Web.Title }).ToList();
        if (queries.Count == 0 && sources.Count == 0)
        {
            return [];
        }

        var parts = new List<ContentPart>();
        string? firstId = null;
        for (var i = 0; i < Math.Max(1, queries.Count); i++)
        {
            var query = i < queries.Count ? queries[i] : null;
            var id = SearchId(responseId, i, query);
            firstId ??= id;
            var input = query is null ? "{}" : "{\"query\":" + JsonSerializer.Serialize(query, DialectsJsonContext.Default.String) + "}";
            parts.Add(new ServerToolCallPart(id, HostedToolKind.WebSearch, "google_search", input) { Query = query });
        }

        parts.Add(new ServerToolResultPart(firstId!, HostedToolKind.WebSearch) { Sources = sources });
        return parts;
    }

    /// <summary>The citations a support gives for the span <paramref name="start"/>..<paramref name="end"/> (UTF-16 offsets).</summary>
    public static IEnumerable<Citation> Citations(GroundingMetadataWire grounding, GroundingSupportWire support, int start, int end)
    {
        foreach (var chunkIndex in support.GroundingChunkIndices ?? [])
        {
            if (grounding.GroundingChunks is { } chunks && chunkIndex >= 0 && chunkIndex < chunks.Count && chunks[chunkIndex]?.Web is { Uri: { } uri } web)
            {
                yield return new Citation(uri) { Title = web.Title, StartIndex = start, EndIndex = end, CitedText = support.Segment?.Text };
            }
        }
    }

    /// <summary>A segment's span in <paramref name="text"/> as UTF-16 offsets.</summary>
    public static (int Start, int End) Span(string text, SegmentWire segment)
    {
        if (segment.Text is { Length: > 0 } quoted)
        {
            var at = text.IndexOf(quoted, StringComparison.Ordinal);
            if (at >= 0)
            {
                return (at, at + quoted.Length);
            }
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        var startByte = Math.Clamp(segment.StartIndex ?? 0, 0, bytes.Length);
        var endByte = Math.Clamp(segment.EndIndex ?? bytes.Length, startByte, bytes.Length);
        return (Encoding.UTF8.GetCharCount(bytes, 0, startByte), Encoding.UTF8.GetCharCount(bytes, 0, endByte));
    }

    private static string SearchId(string? responseId, int index, string? query) =>
        "ws_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{responseId}\n{index}\n{query}")))[..24];

    /// <summary>
    /// Writes <c>groundingMetadata</c> for the answer's searches, sources and citations; each cited
    /// text is given with its part's index in the written parts and its UTF-8 byte offsets.
    /// </summary>
    public static void Write(Utf8JsonWriter writer, IReadOnlyList<string> queries, IReadOnlyList<WebSource> sources, IReadOnlyList<(int PartIndex, string Text, Citation Citation)> cited)
    {
        if (queries.Count == 0 && sources.Count == 0 && cited.Count == 0)
        {
            return;
        }

        var chunks = sources.Select(s => (s.Url, s.Title)).Concat(cited.Select(c => (c.Citation.Url, c.Citation.Title)))
            .DistinctBy(c => c.Url).ToList();
        writer.WriteStartObject("groundingMetadata"u8);
        writer.WriteStartArray("webSearchQueries"u8);
        foreach (var query in queries)
        {
            writer.WriteStringValue(query);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("groundingChunks"u8);
        foreach (var (url, title) in chunks)
        {
            writer.WriteStartObject();
            writer.WriteStartObject("web"u8);
            writer.WriteString("uri"u8, url);
            writer.WriteString("title"u8, title ?? url);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("groundingSupports"u8);
        foreach (var (partIndex, text, citation) in cited)
        {
            var start = Math.Clamp(citation.StartIndex ?? 0, 0, text.Length);
            var end = Math.Clamp(citation.EndIndex ?? text.Length, start, text.Length);
            writer.WriteStartObject();
            writer.WriteStartObject("segment"u8);
            writer.WriteNumber("partIndex"u8, partIndex);
            writer.WriteNumber("startIndex"u8, Encoding.UTF8.GetByteCount(text.AsSpan(0, start)));
            writer.WriteNumber("endIndex"u8, Encoding.UTF8.GetByteCount(text.AsSpan(0, end)));
            writer.WriteString("text"u8, text[start..end]);
            writer.WriteEndObject();
            writer.WriteStartArray("groundingChunkIndices"u8);
            writer.WriteNumberValue(chunks.FindIndex(c => c.Url == citation.Url));
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
