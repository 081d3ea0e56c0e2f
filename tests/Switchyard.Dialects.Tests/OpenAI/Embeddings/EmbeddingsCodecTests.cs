using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.OpenAI.Embeddings;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.OpenAI.Embeddings;

/// <summary>OpenAI <c>/v1/embeddings</c>, both sides, and the bridge to Gemini's batch embeddings.</summary>
public sealed class EmbeddingsCodecTests
{
    private static readonly float[][] Vectors =
    [
        [-0.006929283f, -0.005336422f, 0.024047505f, -0.00028032f],
        [0.5f, -1.25f, 3.4028235E+38f, 1.0E-45f],
    ];

    [Fact]
    public void Reads_a_string_input_as_one_input()
    {
        var request = EmbeddingsCodec.ReadRequest("""{"model":"embed-small","input":"The food was delicious"}"""u8);

        Assert.Equal("embed-small", request.Model);
        Assert.Equal(["The food was delicious"], request.Inputs);
        Assert.Null(request.Dimensions);
        Assert.False(request.Base64);
    }

    [Fact]
    public void Reads_an_array_input_with_dimensions_and_the_base64_encoding()
    {
        var request = EmbeddingsCodec.ReadRequest("""{"model":"embed-small","input":["one","two"],"dimensions":256,"encoding_format":"base64","user":"u-1"}"""u8);

        Assert.Equal(["one", "two"], request.Inputs);
        Assert.Equal(256, request.Dimensions);
        Assert.True(request.Base64);
    }

    [Theory]
    [InlineData("""{"input":"Hi"}""", "model")]
    [InlineData("""{"model":"embed-small"}""", "input")]
    [InlineData("""{"model":"embed-small","input":[[9906,1917]]}""", "input")]
    [InlineData("""{"model":"embed-small","input":42}""", "input")]
    public void Rejects_a_request_naming_the_field(string body, string param)
    {
        var exception = Assert.Throws<GatewayException>(() => EmbeddingsCodec.ReadRequest(Encoding.UTF8.GetBytes(body)));

        Assert.Equal(GatewayErrorKind.InvalidRequest, exception.Error.Kind);
        Assert.Equal(param, exception.Error.Param);
    }

    [Fact]
    public void Writes_a_gemini_batch_request_for_an_openai_upstream_asking_for_floats()
    {
        var request = EmbedContentCodec.ReadRequest(FixtureFiles.Bytes("gemini/batch-embed.request.json"), "embed-small", batch: true);
        var output = new ArrayBufferWriter<byte>();

        EmbeddingsCodec.WriteRequest(request, "text-embedding-3-small", output);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"model":"text-embedding-3-small",
                 "input":["What is the meaning of life?","How much wood would a woodchuck chuck?","How does the brain work?"],
                 "dimensions":768,"encoding_format":"float"}
                """),
            JsonAssert.Parse(output.WrittenSpan));
    }

    [Fact]
    public void Reads_a_response_in_index_order_with_its_usage()
    {
        var body = """
            {"object":"list","data":[
              {"object":"embedding","index":1,"embedding":[0.5,-1.25]},
              {"object":"embedding","index":0,"embedding":[0.25,0.125]}],
             "model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}
            """u8;

        var response = EmbeddingsCodec.ReadResponse(body);

        Assert.Equal([[0.25f, 0.125f], [0.5f, -1.25f]], response.Vectors);
        Assert.Equal("text-embedding-3-small", response.Model);
        Assert.Equal(new Usage { InputTokens = 8 }, response.Usage);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("""{"data":[{"index":0}]}""")]
    public void Reads_a_malformed_response_as_an_upstream_failure(string body)
    {
        var exception = Assert.Throws<GatewayException>(() => EmbeddingsCodec.ReadResponse(Encoding.UTF8.GetBytes(body)));

        Assert.Equal(GatewayErrorKind.UpstreamFailed, exception.Error.Kind);
    }

    [Fact]
    public void Writes_the_vectors_as_float_arrays_with_usage_and_cost()
    {
        var response = new EmbeddingResponse { Model = "embed-small", Vectors = [.. Vectors], Usage = new Usage { InputTokens = 12, Cost = 0.0001m } };

        var written = Write(response, base64: false);

        Assert.Equal(Vectors, written["data"]!.AsArray().Select(d => d!["embedding"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray()));
        written["data"]![0]!.AsObject().Remove("embedding");
        written["data"]![1]!.AsObject().Remove("embedding");
        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"object":"list",
                 "data":[{"object":"embedding","index":0},{"object":"embedding","index":1}],
                 "model":"embed-small",
                 "usage":{"prompt_tokens":12,"total_tokens":12,"cost":0.0001}}
                """),
            written);
    }

    [Fact]
    public void Writes_base64_that_decodes_to_the_little_endian_float32_values()
    {
        var response = new EmbeddingResponse { Model = "embed-small", Vectors = [.. Vectors] };

        var written = Write(response, base64: true);

        var decoded = written["data"]!.AsArray().Select(d => Floats(Convert.FromBase64String(d!["embedding"]!.GetValue<string>()))).ToList();
        Assert.Equal(Vectors, decoded);
        Assert.Equal(
            [0x00, 0x00, 0x00, 0x3F, 0x00, 0x00, 0xA0, 0xBF],
            Convert.FromBase64String(written["data"]![1]!["embedding"]!.GetValue<string>())[..8]);
    }

    [Fact]
    public void Writes_an_empty_list_for_no_vectors()
    {
        var written = Write(new EmbeddingResponse { Model = "embed-small", Vectors = [] }, base64: false);

        Assert.Empty(written["data"]!.AsArray());
        Assert.Equal(0, written["usage"]!["prompt_tokens"]!.GetValue<int>());
    }

    private static float[] Floats(byte[] bytes)
    {
        var values = new float[bytes.Length / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
        }

        Assert.Equal(0, bytes.Length % 4);
        return values;
    }

    private static JsonNode Write(EmbeddingResponse response, bool base64)
    {
        var output = new ArrayBufferWriter<byte>();
        EmbeddingsCodec.WriteResponse(response, base64, output);
        return JsonAssert.Parse(output.WrittenSpan);
    }
}
