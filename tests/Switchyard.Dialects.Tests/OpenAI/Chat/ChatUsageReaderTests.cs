using System.Text;
using System.Text.Json;
using CsCheck;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.OpenAI.Chat;

namespace Switchyard.Dialects.Tests.OpenAI.Chat;

/// <summary>
/// The hand-written usage reader must read what the serializer reads into <c>UsageWire</c> and give
/// nothing where the serializer refuses: used fields of the right type or a wrong one, nested details
/// present, null or malformed, unknown fields, escaped and duplicated names, and broken JSON.
/// </summary>
public sealed class ChatUsageReaderTests
{
    [Fact]
    public void Reads_openai_usage_into_disjoint_buckets()
    {
        const string Json = """{"prompt_tokens":1200,"completion_tokens":300,"total_tokens":1500,"prompt_tokens_details":{"cached_tokens":1000,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":100,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}""";

        var usage = ChatUsageReader.Read(Encoding.UTF8.GetBytes(Json));

        Assert.Equal(new Usage { InputTokens = 200, CacheReadTokens = 1000, OutputTokens = 200, ReasoningTokens = 100 }, usage);
        Assert.Equal(Serialized(Json), usage);
    }

    [Theory]
    [InlineData("""{"prompt_tokens":1.5}""")]
    [InlineData("""{"prompt_tokens":"3"}""")]
    [InlineData("""{"prompt_tokens":null}""")]
    [InlineData("""{"total_tokens":9223372036854775808}""")]
    [InlineData("""{"prompt_tokens_details":[]}""")]
    [InlineData("""{"completion_tokens_details":{"reasoning_tokens":true}}""")]
    [InlineData("""{"prompt_tokens_details":{"cache_creation_tokens":"1"}}""")]
    [InlineData("""{"cost":"0.1"}""")]
    [InlineData("""{"prompt_tokens":3,""")]
    [InlineData("""[1]""")]
    public void Gives_nothing_where_the_serializer_refuses(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(Encoding.UTF8.GetBytes(json), ChatCompletionsJsonContext.Default.UsageWire));
        Assert.Same(Usage.Empty, ChatUsageReader.Read(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Agrees_with_the_serializer_on_any_usage()
    {
        Usages.Sample(json => Assert.Equal(Serialized(json), ChatUsageReader.Read(Encoding.UTF8.GetBytes(json))), iter: 20_000);
    }

    [Fact]
    public void Refuses_an_unknown_field_nested_past_the_depth_limit_as_the_serializer_does()
    {
        var deep = "{\"x\":" + new string('[', 100) + new string(']', 100) + ",\"prompt_tokens\":3}";

        Assert.Same(Usage.Empty, Serialized(deep));
        Assert.Same(Usage.Empty, ChatUsageReader.Read(Encoding.UTF8.GetBytes(deep)));
    }

    /// <summary>What the reader replaced: the serializer into the wire type, then the mapping.</summary>
    private static Usage Serialized(string json)
    {
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
            var wire = JsonSerializer.Deserialize(ref reader, ChatCompletionsJsonContext.Default.UsageWire);
            return wire is null ? Usage.Empty : ChatCompletionsMapping.ToCanonical(wire);
        }
        catch (JsonException)
        {
            return Usage.Empty;
        }
    }

    private static readonly Gen<string> AnyValue = Gen.OneOf(
        Gen.Const("null"), Gen.Const("true"), Gen.Const("1"), Gen.Const("-2.5"), Gen.Const("1e400"), Gen.Const("\"s\""),
        Gen.Const("\"\\u00e9\\n\""), Gen.Const("[]"), Gen.Const("[1,{\"a\":null}]"), Gen.Const("{}"), Gen.Const("{\"x\":[1]}"));

    private static Gen<string> Value(Gen<string> own) => Gen.Frequency((4, own), (1, AnyValue));

    private static readonly Gen<string> Count = Gen.OneOf(
        Gen.Long[0, 5_000_000].Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Const("0"), Gen.Const("-1"), Gen.Const("9223372036854775807"), Gen.Const("9223372036854775808"), Gen.Const("12.0"), Gen.Const("1e3"));

    // A name as sent, or escaped, which must be matched the same; or one differing only in case, which must not.
    private static Gen<string> Name(string name) => Gen.OneOf(
        Gen.Const($"\"{name}\""), Gen.Const($"\"\\u{(int)name[0]:x4}{name[1..]}\""), Gen.Const($"\"{char.ToUpperInvariant(name[0])}{name[1..]}\""));

    private static Gen<string> Object(params Gen<string>[] properties) =>
        Gen.OneOf(properties).Array[0, 7].Select(members => "{" + string.Join(",", members) + "}");

    private static Gen<string> Property(string name, Gen<string> value) => Gen.Select(Name(name), value, (n, v) => n + ":" + v);

    private static readonly Gen<string> Unknown = Gen.Select(
        Gen.OneOf(Gen.Const("\"audio_tokens\""), Gen.Const("\"accepted_prediction_tokens\""), Gen.Const("\"x\"")), AnyValue, (n, v) => n + ":" + v);

    private static readonly Gen<string> PromptDetails = Object(
        Property("cached_tokens", Value(Gen.OneOf(Count, Gen.Const("null")))),
        Property("cache_creation_tokens", Value(Gen.OneOf(Count, Gen.Const("null")))),
        Unknown);

    private static readonly Gen<string> CompletionDetails = Object(
        Property("reasoning_tokens", Value(Gen.OneOf(Count, Gen.Const("null")))),
        Unknown);

    private static readonly Gen<string> Usages = Gen.Frequency(
        (20, Object(
            Property("prompt_tokens", Value(Count)),
            Property("completion_tokens", Value(Count)),
            Property("total_tokens", Value(Count)),
            Property("prompt_tokens_details", Value(Gen.OneOf(PromptDetails, Gen.Const("null")))),
            Property("completion_tokens_details", Value(Gen.OneOf(CompletionDetails, Gen.Const("null")))),
            Property("cost", Value(Gen.OneOf(Gen.Const("0.00012"), Gen.Const("3"), Gen.Const("null"), Gen.Const("1e400")))),
            Unknown)),
        (1, AnyValue),
        (1, Gen.OneOf(Gen.Const("{"), Gen.Const("{\"prompt_tokens\":}"), Gen.Const("{} x"), Gen.Const(""))));
}
