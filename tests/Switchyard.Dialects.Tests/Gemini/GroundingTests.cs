using System.Buffers;
using System.Text;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.Sse;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Gemini;

/// <summary>Google Search grounding read into neutral searches and citations, and written from them.</summary>
public sealed class GroundingTests
{
    // "Grüße" takes 6 bytes for 5 characters: byte offsets after it differ from character offsets.
    private const string Grounded = """
        {"candidates":[{"content":{"role":"model","parts":[{"text":"Grüße: Paris is sunny."}]},"finishReason":"STOP","index":0,
          "groundingMetadata":{"webSearchQueries":["paris weather","paris forecast"],
            "groundingChunks":[{"web":{"uri":"https://a.example/","title":"a.example"}},{"web":{"uri":"https://b.example/","title":"b.example"}}],
            "groundingSupports":[{"segment":{"startIndex":9,"endIndex":24},"groundingChunkIndices":[0,1]}]}}],
         "usageMetadata":{"promptTokenCount":10,"cachedContentTokenCount":4,"candidatesTokenCount":5,"totalTokenCount":15},"modelVersion":"g","responseId":"r1"}
        """;

    [Fact]
    public void Reads_searches_sources_and_citations_converting_byte_offsets()
    {
        var response = GeminiGenerateDialect.Instance.ReadResponse(Encoding.UTF8.GetBytes(Grounded));

        var calls = response.Parts.OfType<ServerToolCallPart>().ToList();
        Assert.Equal(["paris weather", "paris forecast"], calls.Select(c => c.Query));
        var result = Assert.Single(response.Parts.OfType<ServerToolResultPart>());
        Assert.Equal(["https://a.example/", "https://b.example/"], result.Sources.Select(s => s.Url));
        var text = Assert.Single(response.Parts.OfType<TextPart>());
        Assert.Equal(["https://a.example/", "https://b.example/"], text.Citations!.Select(c => c.Url));
        var citation = text.Citations![0];
        Assert.Equal("Paris is sunny.", text.Text[citation.StartIndex!.Value..citation.EndIndex!.Value]);
        Assert.Equal((2, 4), (response.Usage.WebSearchCalls, (int)response.Usage.CacheReadTokens));
    }

    [Fact]
    public void Writes_an_anthropic_answer_with_citations_as_grounding_metadata()
    {
        var answer = AnthropicMessagesDialect.Instance.ReadResponse(Encoding.UTF8.GetBytes("""
            {"id":"msg_1","type":"message","role":"assistant","model":"c","stop_reason":"end_turn",
             "usage":{"input_tokens":5,"output_tokens":3,"cache_read_input_tokens":7,"server_tool_use":{"web_search_requests":1}},
             "content":[{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"café paris"}},
                        {"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[{"type":"web_search_result","url":"https://c.example/","title":"C","encrypted_content":"E","page_age":null}]},
                        {"type":"text","text":"Café de Flore.","citations":[{"type":"web_search_result_location","url":"https://c.example/","title":"C","encrypted_index":"I","cited_text":"Flore"}]}]}
            """));

        var buffer = new ArrayBufferWriter<byte>();
        GeminiGenerateDialect.Instance.WriteResponse(answer, buffer);
        var written = JsonAssert.Parse(buffer.WrittenSpan);

        JsonAssert.Equal(JsonAssert.Parse("""
            {"webSearchQueries":["café paris"],
             "groundingChunks":[{"web":{"uri":"https://c.example/","title":"C"}}],
             "groundingSupports":[{"segment":{"partIndex":0,"startIndex":0,"endIndex":15,"text":"Café de Flore."},"groundingChunkIndices":[0]}]}
            """), written["candidates"]![0]!["groundingMetadata"]);
        Assert.Equal(7, (int?)written["usageMetadata"]!["cachedContentTokenCount"]);
        Assert.Equal(12, (int?)written["usageMetadata"]!["promptTokenCount"]);
    }

    [Fact]
    public async Task Streams_citations_of_the_text_so_far_and_the_searches_whole()
    {
        var body = """
            data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Paris is "}]},"index":0}],"responseId":"r1"}

            data: {"candidates":[{"content":{"role":"model","parts":[{"text":"sunny."}]},"finishReason":"STOP","index":0,"groundingMetadata":{"webSearchQueries":["paris weather"],"groundingChunks":[{"web":{"uri":"https://a.example/","title":"A"}}],"groundingSupports":[{"segment":{"text":"sunny"},"groundingChunkIndices":[0]}]}}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5},"responseId":"r1"}


            """;
        var token = TestContext.Current.CancellationToken;

        var events = await GeminiGenerateDialect.Instance.ReadStream(LentFrames.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), token), token).ToListAsync(token);

        var cited = Assert.Single(events.OfType<CitationAdded>());
        Assert.Equal((9, 14, "https://a.example/"), (cited.Citation.StartIndex, cited.Citation.EndIndex, cited.Citation.Url));
        Assert.IsType<ServerToolCallPart>(events.OfType<PartAdded>().First().Part);
        Assert.Equal(1, Assert.IsType<ResponseCompleted>(events[^1]).Usage.WebSearchCalls);
        Assert.True(events.IndexOf(cited) < events.FindLastIndex(e => e is PartCompleted));
    }
}
