using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.OpenAI.Embeddings;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Gemini;

/// <summary>Gemini <c>:embedContent</c> and <c>:batchEmbedContents</c>, both sides, and the bridge to OpenAI <c>/v1/embeddings</c>.</summary>
public sealed class EmbedContentCodecTests
{
    private const string BatchRequest = "gemini/batch-embed.request.json";
    private const string BatchResponse = "gemini/batch-embed.response.json";

    private static readonly float[][] BatchVectors =
    [
        [-0.022374554f, -0.004560777f, 0.013309286f, -0.0545472f],
        [0.0031394842f, 0.0106193665f, -0.02078547f, 0.018832225f],
        [-0.0099105f, 0.01726574f, 0.0047698296f, -0.07144651f],
    ];

    [Fact]
    public void Reads_an_embed_content_request_with_its_task_type_and_dimensionality()
    {
        var body = """
            {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"What is the meaning of life?"}]},
             "taskType":"SEMANTIC_SIMILARITY","outputDimensionality":256}
            """u8;

        var request = EmbedContentCodec.ReadRequest(body, "embed-small", batch: false);

        Assert.Equal("embed-small", request.Model);
        Assert.Equal(["What is the meaning of life?"], request.Inputs);
        Assert.Equal("SEMANTIC_SIMILARITY", request.TaskType);
        Assert.Equal(256, request.Dimensions);
        Assert.False(request.Base64);
    }

    [Fact]
    public void Reads_a_batch_request_with_each_contents_text_parts_joined()
    {
        var body = FixtureFiles.Bytes(BatchRequest);

        var request = EmbedContentCodec.ReadRequest(body, "embed-small", batch: true);

        Assert.Equal(["What is the meaning of life?", "How much wood would a woodchuck chuck?", "How does the brain work?"], request.Inputs);
        Assert.Equal("RETRIEVAL_QUERY", request.TaskType);
        Assert.Equal(768, request.Dimensions);
    }

    [Fact]
    public void Reads_a_request_without_options()
    {
        var request = EmbedContentCodec.ReadRequest("""{"content":{"parts":[{"text":"Hi"}]}}"""u8, "embed-small", batch: false);

        Assert.Equal(["Hi"], request.Inputs);
        Assert.Null(request.TaskType);
        Assert.Null(request.Dimensions);
    }

    [Theory]
    [InlineData("""{"content":{"parts":[{"text":"Hi"}]}}""", true, "requests")]
    [InlineData("""{"requests":{}}""", true, "requests")]
    [InlineData("""{"requests":[{"model":"models/x"}]}""", true, "content")]
    [InlineData("""{"model":"models/x"}""", false, "content")]
    [InlineData("""{"content":{"parts":"Hi"}}""", false, "content")]
    [InlineData("""{"content":"Hi"}""", false, "content")]
    [InlineData("""["Hi"]""", true, "requests")]
    [InlineData("""{"requests":["Hi"]}""", true, "content")]
    public void Rejects_a_request_without_content_naming_the_field(string body, bool batch, string param)
    {
        var exception = Assert.Throws<GatewayException>(() => EmbedContentCodec.ReadRequest(Encoding.UTF8.GetBytes(body), "embed-small", batch));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal(param, exception.Error.Param);
    }

    [Fact]
    public void Rejects_a_body_that_is_not_json()
    {
        var exception = Assert.Throws<GatewayException>(() => EmbedContentCodec.ReadRequest("{\"content\":"u8, "embed-small", batch: false));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
    }

    [Fact]
    public void Writes_a_batch_request_naming_the_upstream_model_in_each_entry()
    {
        var request = new EmbeddingRequest { Model = "embed-small", Inputs = ["first", "second"], TaskType = "RETRIEVAL_DOCUMENT", Dimensions = 512 };

        var written = WriteRequest(request, "gemini-embedding-001");

        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"requests":[
                  {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"first"}]},"taskType":"RETRIEVAL_DOCUMENT","outputDimensionality":512},
                  {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"second"}]},"taskType":"RETRIEVAL_DOCUMENT","outputDimensionality":512}]}
                """),
            written);
    }

    [Fact]
    public void Writes_an_openai_embeddings_request_as_a_batch_request()
    {
        var request = EmbeddingsCodec.ReadRequest("""{"model":"embed-small","input":["The food was delicious","The waiter was friendly"],"dimensions":256}"""u8);

        var written = WriteRequest(request, "gemini-embedding-001");

        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"requests":[
                  {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"The food was delicious"}]},"outputDimensionality":256},
                  {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"The waiter was friendly"}]},"outputDimensionality":256}]}
                """),
            written);
    }

    [Fact]
    public void Reads_a_batch_response_in_order()
    {
        var body = FixtureFiles.Bytes(BatchResponse);

        var response = EmbedContentCodec.ReadResponse(body, "embed-small");

        Assert.Equal(BatchVectors, response.Vectors);
        Assert.Equal("embed-small", response.Model);
    }

    [Fact]
    public void Reads_a_single_response()
    {
        var body = """{"embedding":{"values":[0.013168523,-0.008711934,-0.046782676]}}"""u8;

        var response = EmbedContentCodec.ReadResponse(body, "embed-small");

        Assert.Equal([[0.013168523f, -0.008711934f, -0.046782676f]], response.Vectors);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("""{"embeddings":[{"vals":[1]}]}""")]
    [InlineData("""{"embedding":{"values":["a"]}}""")]
    public void Reads_a_malformed_response_as_an_upstream_failure(string body)
    {
        var exception = Assert.Throws<GatewayException>(() => EmbedContentCodec.ReadResponse(Encoding.UTF8.GetBytes(body), "embed-small"));

        Assert.Equal(GatewayErrorKind.UpstreamFailed, exception.Error.Kind);
        Assert.Equal("upstream_error", exception.Error.Code);
    }

    [Fact]
    public void Writes_a_batch_response()
    {
        var response = new EmbeddingResponse { Model = "embed-small", Vectors = [.. BatchVectors] };

        var written = WriteResponse(response, batch: true);

        var embeddings = written["embeddings"]!.AsArray();
        Assert.Equal(3, embeddings.Count);
        Assert.Equal(BatchVectors, embeddings.Select(Values));
        Assert.Single(written.AsObject());
    }

    [Fact]
    public void Writes_a_single_response()
    {
        var response = new EmbeddingResponse { Model = "embed-small", Vectors = [[0.5f, -0.25f]] };

        var written = WriteResponse(response, batch: false);

        JsonAssert.Equal(JsonAssert.Parse("""{"embedding":{"values":[0.5,-0.25]}}"""), written);
    }

    [Fact]
    public void Writes_an_openai_embeddings_answer_for_a_gemini_batch_client()
    {
        var body = """
            {"object":"list","data":[
              {"object":"embedding","index":1,"embedding":[0.25,-0.5]},
              {"object":"embedding","index":0,"embedding":[0.125,0.75]}],
             "model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}
            """u8;
        var response = EmbeddingsCodec.ReadResponse(body);

        var written = WriteResponse(response, batch: true);

        JsonAssert.Equal(JsonAssert.Parse("""{"embeddings":[{"values":[0.125,0.75]},{"values":[0.25,-0.5]}]}"""), written);
    }

    [Fact]
    public void Writes_a_gemini_answer_for_an_openai_client()
    {
        var response = EmbedContentCodec.ReadResponse(FixtureFiles.Bytes(BatchResponse), "embed-small");
        var output = new ArrayBufferWriter<byte>();

        EmbeddingsCodec.WriteResponse(response, base64: false, output);

        var written = JsonAssert.Parse(output.WrittenSpan);
        Assert.Equal("embed-small", written["model"]!.GetValue<string>());
        Assert.Equal([0, 1, 2], written["data"]!.AsArray().Select(d => d!["index"]!.GetValue<int>()));
        Assert.Equal(BatchVectors, written["data"]!.AsArray().Select(d => d!["embedding"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray()));
    }

    private static float[] Values(JsonNode? embedding) => embedding!["values"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();

    private static JsonNode WriteRequest(EmbeddingRequest request, string upstreamModel)
    {
        var output = new ArrayBufferWriter<byte>();
        EmbedContentCodec.WriteRequest(request, upstreamModel, output);
        return JsonAssert.Parse(output.WrittenSpan);
    }

    private static JsonNode WriteResponse(EmbeddingResponse response, bool batch)
    {
        var output = new ArrayBufferWriter<byte>();
        EmbedContentCodec.WriteResponse(response, batch, output);
        return JsonAssert.Parse(output.WrittenSpan);
    }
}
