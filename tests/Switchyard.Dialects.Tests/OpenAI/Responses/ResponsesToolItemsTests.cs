using System.Buffers;
using System.Text;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.OpenAI.Responses;
using Switchyard.Dialects.Sse;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.OpenAI.Responses;

/// <summary>Custom tool calls, web search calls and url citations from a Responses upstream, whole and streamed, and out to other clients.</summary>
public sealed class ResponsesToolItemsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Streams_a_custom_call_as_a_free_form_part_whose_arguments_wrap_the_input()
    {
        var body = Sse(
            """{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","model":"gpt"}}""",
            """{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"ctc_1","type":"custom_tool_call","status":"in_progress","call_id":"call_1","name":"apply_patch","namespace":"edit","input":""}}""",
            """{"type":"response.custom_tool_call_input.delta","sequence_number":2,"output_index":0,"item_id":"ctc_1","delta":"*** Begin \"Patch\"\n"}""",
            """{"type":"response.custom_tool_call_input.delta","sequence_number":3,"output_index":0,"item_id":"ctc_1","delta":"*** End Patch"}""",
            """{"type":"response.output_item.done","sequence_number":4,"output_index":0,"item":{"id":"ctc_1","type":"custom_tool_call","status":"completed","call_id":"call_1","name":"apply_patch","namespace":"edit","input":"*** Begin \"Patch\"\n*** End Patch"}}""",
            """{"type":"response.completed","sequence_number":5,"response":{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"gpt","usage":{"input_tokens":3,"output_tokens":2,"total_tokens":5}}}""");

        var events = await OpenAIResponsesDialect.Instance.ReadStream(LentFrames.ReadAsync(new MemoryStream(body), Token), Token).ToListAsync(Token);

        Assert.Equal(new PartStarted(0, PartKind.ToolCall) { ToolCallId = "call_1", ToolName = "apply_patch", ToolNamespace = "edit", FreeForm = true }, events[1]);
        var arguments = string.Concat(events.OfType<ToolArgumentsDelta>().Select(d => d.Json));
        Assert.Equal("*** Begin \"Patch\"\n*** End Patch", ToolCallPart.FreeFormInputOf(arguments));
        Assert.Equal(FinishReason.ToolCalls, Assert.IsType<ResponseCompleted>(events[^1]).FinishReason);
    }

    [Fact]
    public async Task Streams_web_search_calls_whole_and_annotations_on_their_text()
    {
        var body = Sse(
            """{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","model":"gpt"}}""",
            """{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"ws_1","type":"web_search_call","status":"in_progress"}}""",
            """{"type":"response.output_item.done","sequence_number":2,"output_index":0,"item":{"id":"ws_1","type":"web_search_call","status":"completed","action":{"type":"search","query":"paris weather"}}}""",
            """{"type":"response.output_item.added","sequence_number":3,"output_index":1,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}""",
            """{"type":"response.content_part.added","sequence_number":4,"item_id":"msg_1","output_index":1,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}""",
            """{"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_1","output_index":1,"content_index":0,"delta":"Sunny."}""",
            """{"type":"response.output_text.annotation.added","sequence_number":6,"item_id":"msg_1","output_index":1,"content_index":0,"annotation_index":0,"annotation":{"type":"url_citation","start_index":0,"end_index":6,"url":"https://a.example/","title":"A"}}""",
            """{"type":"response.content_part.done","sequence_number":7,"item_id":"msg_1","output_index":1,"content_index":0,"part":{"type":"output_text","text":"Sunny.","annotations":[]}}""",
            """{"type":"response.completed","sequence_number":8,"response":{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"gpt","usage":{"input_tokens":3,"output_tokens":2,"total_tokens":5}}}""");

        var events = await OpenAIResponsesDialect.Instance.ReadStream(LentFrames.ReadAsync(new MemoryStream(body), Token), Token).ToListAsync(Token);
        var chunks = await ChatCompletionsDialect.Instance.WriteStream(events.ToAsyncEnumerable(), new StreamWriteOptions { Model = "m" }, Token).ToListAsync(Token);

        var search = Assert.IsType<ServerToolCallPart>(events.OfType<PartAdded>().Single().Part);
        Assert.Equal("paris weather", search.Query);
        var cited = Assert.Single(events.OfType<CitationAdded>());
        Assert.Equal((0, 6, "https://a.example/"), (cited.Citation.StartIndex, cited.Citation.EndIndex, cited.Citation.Url));
        Assert.Equal(1, Assert.IsType<ResponseCompleted>(events[^1]).Usage.WebSearchCalls);
        var annotations = chunks.Where(c => !c.IsDone).Select(c => JsonAssert.Parse(c.Data.Span)["choices"]?[0]?["delta"]?["annotations"]).Single(a => a is not null);
        JsonAssert.Equal(JsonAssert.Parse("""[{"type":"url_citation","url_citation":{"start_index":0,"end_index":6,"url":"https://a.example/","title":"A"}}]"""), annotations);
    }

    [Fact]
    public void Reads_a_whole_answer_with_a_search_a_custom_call_and_citations()
    {
        var response = OpenAIResponsesDialect.Instance.ReadResponse(Encoding.UTF8.GetBytes("""
            {"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"gpt",
             "output":[{"id":"ws_1","type":"web_search_call","status":"completed","action":{"type":"search","query":"q"}},
                       {"id":"msg_1","type":"message","role":"assistant","status":"completed","content":[{"type":"output_text","text":"Hello there.","annotations":[{"type":"url_citation","start_index":6,"end_index":11,"url":"https://a.example/","title":"A"}]}]},
                       {"id":"ctc_1","type":"custom_tool_call","call_id":"call_1","name":"apply_patch","input":"patch"}],
             "usage":{"input_tokens":10,"input_tokens_details":{"cached_tokens":6},"output_tokens":2,"total_tokens":12}}
            """));

        Assert.Equal(["ServerToolCallPart", "TextPart", "ToolCallPart"], response.Parts.Select(p => p.GetType().Name));
        var citation = Assert.Single(((TextPart)response.Parts[1]).Citations!);
        Assert.Equal("there", "Hello there."[citation.StartIndex!.Value..citation.EndIndex!.Value]);
        Assert.Equal("patch", ((ToolCallPart)response.Parts[2]).FreeFormInput);
        Assert.Equal((1, 6L, 4L), (response.Usage.WebSearchCalls, response.Usage.CacheReadTokens, response.Usage.InputTokens));

        var buffer = new ArrayBufferWriter<byte>();
        ChatCompletionsDialect.Instance.WriteResponse(response, buffer);
        var message = JsonAssert.Parse(buffer.WrittenSpan)["choices"]![0]!["message"]!;
        JsonAssert.Equal(JsonAssert.Parse("""{"id":"call_1","type":"custom","custom":{"name":"apply_patch","input":"patch"}}"""), message["tool_calls"]![0]);
        JsonAssert.Equal(JsonAssert.Parse("""[{"type":"url_citation","url_citation":{"start_index":6,"end_index":11,"url":"https://a.example/","title":"A"}}]"""), message["annotations"]);
    }

    private static byte[] Sse(params string[] events) =>
        Encoding.UTF8.GetBytes(string.Concat(events.Select(e => $"event: x\ndata: {e}\n\n")));
}
