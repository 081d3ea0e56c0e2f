using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.OpenAI.Responses;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests;

/// <summary>
/// A field of the client's dialect that the gateway does not know reaches an upstream of that same
/// dialect on the translated path too, where the client put it; an upstream of another dialect does
/// not get it, and the client is told.
/// </summary>
public sealed class ExtensionFieldsTests
{
    public static TheoryData<string, string, string[]> SameDialect() => new()
    {
        {
            "chat",
            """{"model":"m","messages":[{"role":"user","content":"hi"}],"logit_bias":{"50256":-100},"verbosity":"low"}""",
            ["logit_bias", "verbosity"]
        },
        {
            "responses",
            """{"model":"m","input":"hi","truncation":"auto","max_tool_calls":3,"text":{"verbosity":"low"}}""",
            ["truncation", "max_tool_calls", "text.verbosity"]
        },
        {
            "anthropic",
            """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}],"context_management":{"edits":[]},"service_tier":"auto"}""",
            ["context_management", "service_tier"]
        },
        {
            "gemini",
            """{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"cachedContent":"cachedContents/abc","labels":{"team":"a"},"safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}],"generationConfig":{"temperature":0.5,"responseLogprobs":true}}""",
            ["cachedContent", "labels", "safetySettings", "generationConfig.responseLogprobs"]
        },
    };

    [Theory]
    [MemberData(nameof(SameDialect))]
    public void Reach_an_upstream_of_the_clients_dialect_where_the_client_put_them(string dialect, string body, string[] fields)
    {
        var codec = Codec(dialect);
        var sent = JsonAssert.Parse(body);
        var request = codec.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments());
        var adapted = UpstreamAdapter.For(request, codec.Abilities, upstreamSearch: false).Request;

        var written = Write(codec, adapted);

        foreach (var field in fields)
        {
            Assert.NotNull(At(written, field));
            JsonAssert.Equal(At(sent, field), At(written, field));
        }

        Assert.DoesNotContain(adapted.Adjustments.Entries, e => e.EndsWith("=dropped", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(SameDialect))]
    public void Are_dropped_and_reported_for_an_upstream_of_another_dialect(string dialect, string body, string[] fields)
    {
        var client = Codec(dialect);
        var upstream = Codec(dialect == "anthropic" ? "gemini" : "anthropic");
        var request = client.ReadRequest(Encoding.UTF8.GetBytes(body), new ParamAdjustments());
        var adapted = UpstreamAdapter.For(request, upstream.Abilities, upstreamSearch: false).Request;

        var written = Write(upstream, adapted);

        foreach (var field in fields.Where(f => f != "safetySettings" && !f.Contains('.', StringComparison.Ordinal)))
        {
            Assert.Null(written[field]);
            Assert.Contains($"{field}=dropped", adapted.Adjustments.Entries);
        }
    }

    private static JsonNode? At(JsonNode node, string path) =>
        path.Split('.').Aggregate<string, JsonNode?>(node, (current, name) => current?[name]);

    private static ChatDialect Codec(string dialect) => dialect switch
    {
        "chat" => ChatCompletionsDialect.Instance,
        "responses" => OpenAIResponsesDialect.Instance,
        "anthropic" => AnthropicMessagesDialect.Instance,
        _ => GeminiGenerateDialect.Instance,
    };

    private static JsonNode Write(ChatDialect dialect, Canonical.ChatRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>();
        dialect.WriteRequest(request, "upstream-model", buffer);
        return JsonAssert.Parse(buffer.WrittenSpan);
    }
}
