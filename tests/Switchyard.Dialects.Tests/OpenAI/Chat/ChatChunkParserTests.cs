using System.Text;
using System.Text.Json;
using CsCheck;
using Switchyard.Dialects.OpenAI.Chat;

namespace Switchyard.Dialects.Tests.OpenAI.Chat;

/// <summary>
/// The hand-written chunk reader must read what the serializer reads and refuse what it refuses:
/// any chunk, of used fields in the right type or a wrong one, unknown fields of any type, escaped
/// and duplicated names, and broken JSON.
/// </summary>
public sealed class ChatChunkParserTests
{
    [Fact]
    public void Reads_a_chunk_as_the_serializer_does()
    {
        const string Chunk = """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1754812345,"model":"gpt-4o","service_tier":"default","choices":[{"index":0,"delta":{"content":"Hel","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""";

        var chunk = ChatChunkParser.Parse(Encoding.UTF8.GetBytes(Chunk))!;

        Assert.Equal("chatcmpl-1", chunk.Id);
        Assert.Equal(1754812345, chunk.Created);
        Assert.Equal("Hel", chunk.Choices![0]!.Delta!.Content);
        Assert.Equal("f", chunk.Choices[0]!.Delta!.ToolCalls![0].Function!.Name);
        Assert.Equal("stop", chunk.Choices[0]!.FinishReason);
        Assert.Equal(2, chunk.Usage!.CompletionTokens);
        Assert.Equal(Serialized(Chunk), Parsed(Chunk));
    }

    [Fact]
    public void Agrees_with_the_serializer_on_any_chunk()
    {
        Chunks.Sample(json => Assert.Equal(Serialized(json), Parsed(json)), iter: 20_000);
    }

    [Fact]
    public void Without_identity_agrees_with_the_serializer_but_leaves_id_and_model_unread()
    {
        Chunks.Sample(json => Assert.Equal(Serialized(json, identity: false), Parsed(json, identity: false)), iter: 20_000);
    }

    /// <summary>
    /// A stream reader reads every chunk into one: whatever the chunk before left in it (a failed
    /// one too), the next reads as into a new one.
    /// </summary>
    [Fact]
    public void Reads_into_a_reused_chunk_as_into_a_new_one()
    {
        Gen.Select(Chunks, Chunks, Chunks).Sample((first, second, third) =>
        {
            var into = new ChatChunkWire();
            Parsed(first, into: into);
            Parsed(second, into: into);
            Assert.Equal(Parsed(third), Parsed(third, into: into));
        }, iter: 20_000);
    }

    [Fact]
    public void Does_not_keep_a_list_an_upstream_grew_with_many_choices_for_the_rest_of_its_stream()
    {
        var into = new ChatChunkWire();
        var many = "{\"choices\":[" + string.Join(",", Enumerable.Repeat("null", 100_000)) + "]}";

        ChatChunkParser.Parse(Encoding.UTF8.GetBytes(many), into: into);
        Assert.Equal(100_000, into.Choices!.Count);
        ChatChunkParser.Parse("""{"choices":[{"delta":{"content":"a"}}]}"""u8, into: into);

        Assert.Equal("a", into.Choices!.Single()!.Delta!.Content);
        Assert.True(into.Choices.Capacity <= 4, $"capacity {into.Choices.Capacity}");
    }

    [Theory]
    [InlineData("""{"id":1}""")]
    [InlineData("""{"created":"1"}""")]
    [InlineData("""{"created":null}""")]
    [InlineData("""{"created":1.5}""")]
    [InlineData("""{"choices":{}}""")]
    [InlineData("""{"choices":[1]}""")]
    [InlineData("""{"choices":[{"delta":[]}]}""")]
    [InlineData("""{"choices":[{"finish_reason":1}]}""")]
    [InlineData("""{"id":"a"} {}""")]
    [InlineData("""{"id":"a",}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""{"id":"a" """)]
    public void Refuses_what_the_serializer_refuses(string json)
    {
        Assert.StartsWith("refused", Serialized(json), StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => ChatChunkParser.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.ThrowsAny<JsonException>(() => ChatChunkParser.Parse(Encoding.UTF8.GetBytes(json), identity: false));
    }

    [Fact]
    public void Refuses_an_unknown_field_nested_past_the_depth_limit_as_the_serializer_does()
    {
        // A hostile upstream's deep nesting in a field nobody reads: refused at depth 64, not walked.
        var deep = "{\"x\":" + new string('[', 100) + new string(']', 100) + ",\"id\":\"a\"}";

        Assert.Equal("refused", Serialized(deep));
        Assert.Equal("refused", Parsed(deep));
    }

    [Theory]
    [InlineData("id")]
    [InlineData("model")]
    public void Refuses_a_string_that_is_not_utf8(string name)
    {
        byte[] json = [.. Encoding.UTF8.GetBytes($"{{\"{name}\":\""), 0xC3, 0x28, .. "\"}"u8];

        Assert.ThrowsAny<JsonException>(() => ChatChunkParser.Parse(json));
        Assert.ThrowsAny<JsonException>(() => ChatChunkParser.Parse(json, identity: false));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, ChatCompletionsJsonContext.Default.ChatChunkWire));
    }

    [Fact]
    public void Refuses_an_escaped_lone_surrogate_it_does_not_read()
    {
        var json = Encoding.UTF8.GetBytes("""{"id":"a\ud800"}""");

        Assert.ThrowsAny<JsonException>(() => ChatChunkParser.Parse(json, identity: false));
        Assert.Equal("refused", Serialized("""{"id":"a\ud800"}"""));
    }

    private static string Parsed(string json, bool identity = true, ChatChunkWire? into = null)
    {
        try
        {
            return JsonSerializer.Serialize(ChatChunkParser.Parse(Encoding.UTF8.GetBytes(json), identity, into), ChatCompletionsJsonContext.Default.ChatChunkWire);
        }
        catch (JsonException)
        {
            return "refused";
        }
    }

    private static string Serialized(string json, bool identity = true)
    {
        try
        {
            var chunk = JsonSerializer.Deserialize(Encoding.UTF8.GetBytes(json), ChatCompletionsJsonContext.Default.ChatChunkWire);
            if (!identity && chunk is not null)
            {
                chunk.Id = null;
                chunk.Model = null;
            }

            return JsonSerializer.Serialize(chunk, ChatCompletionsJsonContext.Default.ChatChunkWire);
        }
        catch (JsonException)
        {
            return "refused";
        }
    }

    // Any JSON value, small; a used field gets one of these about as often as a value of its own type.
    private static readonly Gen<string> AnyValue = Gen.OneOf(
        Gen.Const("null"), Gen.Const("true"), Gen.Const("1"), Gen.Const("-2.5"), Gen.Const("1e400"), Gen.Const("\"s\""),
        Gen.Const("\"\\u00e9\\n\""), Gen.Const("[]"), Gen.Const("[1,{\"a\":null}]"), Gen.Const("{}"), Gen.Const("{\"x\":[1]}"));

    private static Gen<string> Value(Gen<string> own) => Gen.Frequency((3, own), (1, AnyValue));

    private static readonly Gen<string> Str = Gen.OneOf(Gen.Const("\"chatcmpl-1\""), Gen.Const("\"Hel\""), Gen.Const("\"\\ud83d\\udc4b\""), Gen.Const("\"\""), Gen.Const("null"));

    // A name as sent, or escaped, which must be matched the same.
    private static Gen<string> Name(string name) => Gen.OneOf(Gen.Const($"\"{name}\""), Gen.Const($"\"\\u{(int)name[0]:x4}{name[1..]}\""));

    private static Gen<string> Object(params Gen<string>[] properties) =>
        Gen.OneOf(properties).Array[0, 6].Select(members => "{" + string.Join(",", members) + "}");

    private static Gen<string> Property(string name, Gen<string> value) => Gen.Select(Name(name), value, (n, v) => n + ":" + v);

    private static readonly Gen<string> Unknown = Gen.Select(Gen.OneOf(Gen.Const("\"object\""), Gen.Const("\"logprobs\""), Gen.Const("\"index\""), Gen.Const("\"Id\"")), AnyValue, (n, v) => n + ":" + v);

    private static readonly Gen<string> Delta = Object(
        Property("content", Gen.OneOf(Str, AnyValue)),
        Property("reasoning_content", Value(Str)),
        Property("refusal", Value(Str)),
        Property("tool_calls", Value(Gen.OneOf(Gen.Const("[]"), Gen.Const("[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]"), Gen.Const("null")))),
        Property("annotations", Value(Gen.OneOf(Gen.Const("[]"), Gen.Const("[{\"type\":\"url_citation\",\"url_citation\":{\"url\":\"https://a\",\"title\":\"t\",\"start_index\":0,\"end_index\":1}}]")))),
        Unknown);

    private static readonly Gen<string> Choice = Gen.Frequency(
        (6, Object(Property("delta", Value(Delta)), Property("finish_reason", Value(Str)), Unknown)),
        (1, Gen.Const("null")));

    private static readonly Gen<string> Chunks = Gen.Frequency(
        (20, Object(
            Property("id", Value(Str)),
            Property("created", Value(Gen.OneOf(Gen.Const("1754812345"), Gen.Const("0"), Gen.Const("-1"), Gen.Const("9223372036854775808")))),
            Property("model", Value(Str)),
            Property("choices", Value(Choice.Array[0, 2].Select(c => "[" + string.Join(",", c) + "]"))),
            Property("usage", Value(Gen.OneOf(Gen.Const("{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}"), Gen.Const("null")))),
            Property("error", Value(Gen.OneOf(Gen.Const("{\"message\":\"boom\"}"), Gen.Const("null")))),
            Unknown)),
        (1, AnyValue),
        (1, Gen.OneOf(Gen.Const("{"), Gen.Const("{\"id\":}"), Gen.Const("{} x"), Gen.Const(""))));
}
