using System.Text;
using System.Text.Json;
using CsCheck;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Bedrock;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.OpenAI.Completions;
using Switchyard.Dialects.OpenAI.Embeddings;
using Switchyard.Dialects.OpenAI.Responses;
using Switchyard.Dialects.Tests.Infrastructure;
using Switchyard.Testing;

namespace Switchyard.Dialects.Tests;

/// <summary>
/// Every reader of every codec, fed bodies mutated from valid ones (fields dropped, sent twice,
/// retyped, odd numbers and strings, deep nesting, truncation, bytes that are not UTF-8): a client
/// request either parses or is refused with the documented <see cref="GatewayException"/> of a
/// client error; an upstream answer either parses or is a <see cref="GatewayException"/> of an
/// upstream failure; nothing else ever escapes. The gateway's own checks run before the codecs,
/// but the codecs are held to this without them.
/// </summary>
public sealed class MutatedBodyTests
{
    private const int Iterations = 1000;

    public static TheoryData<string> ClientCodecs => new() { "chat", "completions", "responses", "messages", "gemini" };

    [Theory]
    [MemberData(nameof(ClientCodecs))]
    public void A_client_request_parses_or_is_refused_as_a_client_error(string name)
    {
        var (codec, seeds) = ClientCodec(name);

        BodyMutations.From(seeds).Sample(body => ExpectClientError(() => codec.ReadRequest(body.Body, new ParamAdjustments())),
            iter: Iterations, threads: 1, print: body => body.ToString());
    }

    [Theory]
    [MemberData(nameof(ClientCodecs))]
    public void The_gateways_own_checks_refuse_only_as_a_client_error(string name)
    {
        var (codec, seeds) = ClientCodec(name);

        BodyMutations.From(seeds).Sample(body => ExpectClientError(() =>
        {
            if (!System.Text.Unicode.Utf8.IsValid(body.Body))
            {
                return;
            }

            var topLevel = JsonTopLevel.Scan(body.Body);
            RequestShape.Validate(body.Body, topLevel, codec.RequestShape, codec.CountFields);
            codec.MediaUrls?.Read(body.Body, new List<MediaUrl>());
        }), iter: Iterations, threads: 1, print: body => body.ToString());
    }

    public static TheoryData<string> CountingCodecs => new() { "responses", "messages", "gemini" };

    [Theory]
    [MemberData(nameof(CountingCodecs))]
    public void A_token_count_request_parses_or_is_refused_as_a_client_error(string name)
    {
        var (codec, seeds) = ClientCodec(name);
        var counting = (ITokenCounting)codec;

        BodyMutations.From(seeds).Sample(body => ExpectClientError(() => counting.ReadCountRequest(body.Body)),
            iter: Iterations, threads: 1, print: body => body.ToString());
    }

    public static TheoryData<string> EmbeddingCodecs => new() { "openai", "gemini", "gemini-batch" };

    [Theory]
    [MemberData(nameof(EmbeddingCodecs))]
    public void An_embeddings_request_parses_or_is_refused_as_a_client_error(string name)
    {
        var (codec, route, pathModel, seeds) = name switch
        {
            "openai" => ((IEmbeddingCodec)EmbeddingsDialect.Instance, EmbeddingsDialect.Instance.Routes[0], (string?)null, new[]
            {
                """{"model":"embed","input":"The food was delicious","encoding_format":"float","dimensions":256,"user":"u"}""",
                """{"model":"embed","input":["one","two",""],"encoding_format":"base64"}""",
                """{"model":"embed","input":[[1,2,3],[4]]}""",
            }),
            "gemini" => (GeminiEmbedDialect.Instance, GeminiEmbedDialect.Instance.Routes[0], "embed", new[]
            {
                """{"content":{"parts":[{"text":"The food was delicious"}]},"taskType":"RETRIEVAL_DOCUMENT","title":"t","outputDimensionality":256}""",
                """{"model":"models/embed","content":{"role":"user","parts":[{"text":"a"},{"text":"b"}]}}""",
            }),
            _ => (GeminiEmbedDialect.Instance, GeminiEmbedDialect.Instance.Routes[1], "embed", new[]
            {
                Encoding.UTF8.GetString(FixtureFiles.Bytes("gemini/batch-embed.request.json")),
                """{"requests":[{"model":"models/embed","content":{"parts":[{"text":"a"}]},"outputDimensionality":8}]}""",
            }),
        };

        BodyMutations.From(seeds).Sample(body => ExpectClientError(() => codec.ReadRequest(body.Body, pathModel, route)),
            iter: Iterations, threads: 1, print: body => body.ToString());
    }

    public static TheoryData<string> UpstreamCodecs => new() { "chat", "responses", "messages", "gemini", "bedrock" };

    [Theory]
    [MemberData(nameof(UpstreamCodecs))]
    public void An_upstream_answer_parses_or_is_an_upstream_failure(string name)
    {
        var (codec, seeds) = name switch
        {
            "chat" => ((IUpstreamCodec)ChatCompletionsDialect.Instance, new[]
            {
                Fixture("openai-chat/tool-calls.response.json"),
                """{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi","refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8,"prompt_tokens_details":{"cached_tokens":1},"completion_tokens_details":{"reasoning_tokens":2}}}""",
            }),
            "responses" => (OpenAIResponsesDialect.Instance, new[] { Fixture("openai-responses/reasoning-tool-call.response.json") }),
            "messages" => (AnthropicMessagesDialect.Instance, new[] { Fixture("anthropic/tool-use.response.json"), Fixture("anthropic/json-output.response.json") }),
            "gemini" => (GeminiGenerateDialect.Instance, new[] { Fixture("gemini/function-call.response.json") }),
            _ => (ConverseDialect.Instance, new[] { Fixture("bedrock/tool-use.response.json") }),
        };

        BodyMutations.From(seeds).Sample(body =>
        {
            try
            {
                codec.ReadResponse(body.Body);
            }
            catch (GatewayException exception)
            {
                Assert.True(exception.Error.Kind == GatewayErrorKind.UpstreamFailed, exception.ToString());
            }

            var error = codec.ReadError(500, body.Body);
            Assert.False(string.IsNullOrEmpty(error.Message));
        }, iter: Iterations, threads: 1, print: body => body.ToString());
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("gemini")]
    public void An_upstream_embeddings_answer_parses_or_is_an_upstream_failure(string name)
    {
        var (codec, seeds) = name == "openai"
            ? ((IEmbeddingCodec)EmbeddingsDialect.Instance, new[]
            {
                """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,-0.2,3.5]},{"object":"embedding","index":1,"embedding":"AACAPwAAAEA="}],"model":"m","usage":{"prompt_tokens":2,"total_tokens":2}}""",
            })
            : (GeminiEmbedDialect.Instance, new[] { Fixture("gemini/batch-embed.response.json"), """{"embedding":{"values":[0.1,0.2]}}""" });

        BodyMutations.From(seeds).Sample(body =>
        {
            try
            {
                codec.ReadResponse(body.Body, "m");
            }
            catch (GatewayException exception)
            {
                Assert.True(exception.Error.Kind == GatewayErrorKind.UpstreamFailed, exception.ToString());
            }
        }, iter: Iterations, threads: 1, print: body => body.ToString());
    }

    // What the properties above found, each as its smallest body.

    [Theory]
    [InlineData("completions", """{"model":"m","prompt":"x\ud83d"}""")]
    [InlineData("chat", """{"model":"m","messages":[{"role":"user","content":[[]]}]}""")]
    [InlineData("chat", """{"model":"m","messages":[{"role":"user","content":"hi"}],"stop":["\ud800"]}""")]
    [InlineData("responses", """{"model":"m","input":"\udc00"}""")]
    [InlineData("messages", """{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"\ud800"}]}""")]
    [InlineData("gemini", """{"contents":[{"parts":[{"text":"hi"}]}],"tools":[{"functionDeclarations":[null]}]}""")]
    [InlineData("gemini", """{"contents":[{"parts":[{"text":"\ud800"}]}]}""")]
    public void A_value_that_cannot_be_read_is_a_client_error(string name, string body)
    {
        var (codec, _) = ClientCodec(name);

        var refused = Assert.Throws<GatewayException>(() => codec.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments()));

        Assert.Equal(GatewayErrorKind.InvalidRequest, refused.Error.Kind);
    }

    [Theory]
    [InlineData("""{"model":"m","input":"\udc00"}""", null)]
    [InlineData("""{"content":{"parts":[{"text":"\ud800"}]}}""", "embed")]
    [InlineData("""{"content":{"parts":[{"text":"a"}]},"outputDimensionality":[1]}""", "embed")]
    public void An_embeddings_value_that_cannot_be_read_is_a_client_error(string body, string? pathModel)
    {
        IEmbeddingCodec codec = pathModel is null ? EmbeddingsDialect.Instance : GeminiEmbedDialect.Instance;
        var route = ((IClientDialect)codec).Routes[0];

        var refused = Assert.Throws<GatewayException>(() => codec.ReadRequest(Encoding.UTF8.GetBytes(body), pathModel, route));

        Assert.Equal(GatewayErrorKind.InvalidRequest, refused.Error.Kind);
    }

    [Fact]
    public void An_upstream_answer_with_an_unknown_content_type_is_the_upstreams_failure_not_the_callers()
    {
        var answer = Fixture("openai-responses/reasoning-tool-call.response.json").Replace("\"output_text\"", "\"output_hologram\"", StringComparison.Ordinal);

        var failure = Assert.Throws<GatewayException>(() => OpenAIResponsesDialect.Instance.ReadResponse(Encoding.UTF8.GetBytes(answer)));

        Assert.Equal(GatewayErrorKind.UpstreamFailed, failure.Error.Kind);
    }

    [Fact]
    public void An_upstream_answer_with_an_impossible_time_or_a_null_block_still_reads()
    {
        var chat = ChatCompletionsDialect.Instance.ReadResponse("""{"id":"c","object":"chat.completion","created":9223372036854775807,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}"""u8);
        var messages = AnthropicMessagesDialect.Instance.ReadResponse("""{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[null,{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}"""u8);

        Assert.InRange(chat.Created, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal("hi", Assert.IsType<Canonical.TextPart>(Assert.Single(messages.Parts)).Text);
    }

    [Fact]
    public void An_upstream_error_whose_message_cannot_be_read_is_still_an_error()
    {
        var error = Switchyard.Dialects.OpenAI.OpenAIErrors.Read(500, """{"error":{"message":"\udc00x","type":"server_error"}}"""u8);

        Assert.Equal(GatewayErrorKind.UpstreamFailed, error.Kind);
    }

    [Fact]
    public void A_media_url_that_cannot_be_read_is_reported_and_the_ones_after_it_too()
    {
        var urls = new List<MediaUrl>();

        ChatCompletionsDialect.Instance.MediaUrls!.Read("""
            {"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"\ud800"}},{"type":"image_url","image_url":{"url":"http://10.0.0.1/a.png"}}]}]}
            """u8, urls);

        Assert.Equal(["\\ud800", "http://10.0.0.1/a.png"], urls.Select(u => u.Url));
    }

    [Theory]
    [InlineData("""{"a":"\ud83d\ude00 ok"}""", false)]
    [InlineData("""{"a":"\\ud800"}""", false)]
    [InlineData("""{"a":"\u00e9\n\"\\"}""", false)]
    [InlineData("""{"a":"\ud800"}""", true)]
    [InlineData("""{"a":"\uDC00"}""", true)]
    [InlineData("""{"a":"\ud83d\u0041"}""", true)]
    [InlineData("""{"a":"x\ud83d"}""", true)]
    [InlineData("""{"a":"\\\ud800"}""", true)]
    public void Finds_an_escaped_surrogate_without_its_pair(string json, bool lone)
    {
        Assert.Equal(lone, JsonEscapes.HasLoneSurrogate(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Finds_a_lone_surrogate_exactly_where_a_json_reader_cannot_read_the_string()
    {
        var piece = Gen.OneOf(
            Gen.Const("a"), Gen.Const("\\n"), Gen.Const("\\\\"), Gen.Const("\\\""), Gen.Const("\\\\u0041"), Gen.Const("u"), Gen.Const("é"),
            Gen.Const("\\u00e9"), Gen.Const("\\ud83d"), Gen.Const("\\ude00"), Gen.Const("\\uDBFF"), Gen.Const("\\uDC00"), Gen.Const("\\u0041"));
        piece.Array[0, 12].Select(pieces => "{\"a\":\"" + string.Concat(pieces) + "\"}").Sample(json =>
        {
            var body = Encoding.UTF8.GetBytes(json);
            var reader = new Utf8JsonReader(body);
            reader.Read();
            reader.Read();
            reader.Read();
            var unreadable = false;
            try
            {
                reader.GetString();
            }
            catch (InvalidOperationException)
            {
                unreadable = true;
            }

            Assert.Equal(unreadable, JsonEscapes.HasLoneSurrogate(body));
        }, iter: 5_000);
    }

    private static void ExpectClientError(Action read)
    {
        try
        {
            read();
        }
        catch (GatewayException exception)
        {
            Assert.True(exception.Error.Status is >= 400 and < 500, exception.ToString());
            Assert.False(string.IsNullOrWhiteSpace(exception.Error.Message));
        }
    }

    private static (ChatDialect Codec, string[] Seeds) ClientCodec(string name) => name switch
    {
        "chat" => (ChatCompletionsDialect.Instance, [Fixture("openai-chat/tools-and-images.request.json"), Fixture("anthropic/from-openai-chat.request.json"), .. Seeds.Chat]),
        "completions" => (CompletionsDialect.Instance, Seeds.Completions),
        "responses" => (OpenAIResponsesDialect.Instance, [Fixture("openai-responses/conversation.request.json"), .. Seeds.Responses]),
        "messages" => (AnthropicMessagesDialect.Instance, [Fixture("anthropic/agent.request.json"), .. Seeds.Messages]),
        _ => (GeminiGenerateDialect.Instance, [Fixture("gemini/conversation.request.json"), .. Seeds.Gemini]),
    };

    private static string Fixture(string name) => Encoding.UTF8.GetString(FixtureFiles.Bytes(name));
}
