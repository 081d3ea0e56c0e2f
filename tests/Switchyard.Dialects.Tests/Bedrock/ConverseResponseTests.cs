using System.Text;
using Switchyard.Dialects.Bedrock;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Bedrock;

public sealed class ConverseResponseTests
{
    private const string Signature = "EqQBCkgIBxABGAIiQL3nVw0pDcC2Vq1sC+w/y4iCZ3Dd8oJxB3aXq5f8VxKp0zT9J2bG+eR1Y6hQnN7uWm4cLs0aPdF2iXo8EgwN1fQ2rZlH7kU9yWQaDNh1pJ3kQ4mV8tZ6+A==";

    [Fact]
    public void Reads_reasoning_text_and_tool_calls_with_cache_usage_in_disjoint_buckets()
    {
        var body = FixtureFiles.Bytes("bedrock/tool-use.response.json");

        var response = ConverseDialect.Instance.ReadResponse(body);

        Assert.Equal(
            [
                new ReasoningPart("The user wants the weather in Madison.") { Signature = ReasoningSignature.Wrap("bedrock", Signature) },
                new TextPart("Let me check the weather."),
            ],
            response.Parts.Take(2));
        var call = Assert.IsType<ToolCallPart>(response.Parts[2]);
        Assert.Equal(("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "get_weather"), (call.Id, call.Name));
        JsonAssert.Equal(JsonAssert.Parse("""{"location":"Madison, WI","unit":"celsius"}"""), JsonAssert.Parse(call.ArgumentsJson));
        Assert.Equal(FinishReason.ToolCalls, response.FinishReason);
        Assert.Equal(new Usage { InputTokens = 412, CacheReadTokens = 2048, CacheWriteTokens = 24, OutputTokens = 96 }, response.Usage);
        Assert.Equal(2580, response.Usage.TotalTokens);
    }

    [Theory]
    [InlineData("end_turn", FinishReason.Stop)]
    [InlineData("max_tokens", FinishReason.Length)]
    [InlineData("stop_sequence", FinishReason.StopSequence)]
    [InlineData("guardrail_intervened", FinishReason.ContentFilter)]
    [InlineData("content_filtered", FinishReason.ContentFilter)]
    [InlineData("model_context_window_exceeded", FinishReason.Length)]
    public void Maps_stop_reasons(string stopReason, FinishReason finish)
    {
        var body = $$$"""{"output":{"message":{"role":"assistant","content":[{"text":"x"}]}},"stopReason":"{{{stopReason}}}","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}""";

        var response = ConverseDialect.Instance.ReadResponse(Encoding.UTF8.GetBytes(body));

        Assert.Equal(finish, response.FinishReason);
    }

    [Fact]
    public void Returns_the_forced_json_tool_input_as_the_answer_text()
    {
        var body = """
            {"output":{"message":{"role":"assistant","content":[{"toolUse":{"toolUseId":"t","name":"switchyard_json_output","input":{"temp":21}}}]}},
             "stopReason":"tool_use","usage":{"inputTokens":3,"outputTokens":4,"totalTokens":7}}
            """;

        var response = ConverseDialect.Instance.ReadResponse(Encoding.UTF8.GetBytes(body));

        Assert.Equal([new TextPart("""{"temp":21}""")], response.Parts);
        Assert.Equal(FinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public void Keeps_redacted_reasoning_opaque()
    {
        var body = """{"output":{"message":{"role":"assistant","content":[{"reasoningContent":{"redactedContent":"RVFBQkNE"}},{"text":"Done."}]}},"stopReason":"end_turn"}""";

        var response = ConverseDialect.Instance.ReadResponse(Encoding.UTF8.GetBytes(body));

        Assert.Equal([new ReasoningPart(string.Empty) { RedactedData = "RVFBQkNE" }, new TextPart("Done.")], response.Parts);
    }

    [Fact]
    public void Refuses_a_malformed_answer_as_an_upstream_failure()
    {
        var error = Assert.Throws<GatewayException>(() => ConverseDialect.Instance.ReadResponse("""{"output":"#"""u8));

        Assert.Equal(GatewayErrorKind.UpstreamFailed, error.Error.Kind);
    }
}
