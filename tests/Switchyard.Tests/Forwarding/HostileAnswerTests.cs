using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Switchyard.Forwarding;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Forwarding;

/// <summary>
/// A whole answer (not a stream) from a hostile or broken upstream: one that announces or sends more
/// than the gateway reads (<see cref="UpstreamClient.MaxAnswerBytes"/>), or breaks off before its
/// end. Every path that reads a whole answer gives the client a 502 in its own envelope, never a
/// 500 and never an answer held in memory without bound.
/// </summary>
public sealed class HostileAnswerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Gemini's embedContent on an OpenAI upstream: the embeddings are translated, not relayed.
    private static string GeminiEmbed => $"/v1beta/models/embed-test:embedContent?key={GatewayInstance.UserKey}";

    private const string ChatBody = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}""";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_chat_answer_past_the_limit_is_a_502_whether_announced_or_not(bool announced)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.Default = (context, _) => WriteOversizedAnswerAsync(context, announced);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(ChatBody), Ct);

        var error = await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.BadGateway, "server_error", "upstream_error");
        Assert.Contains("larger than the gateway's limit (64 MiB)", (string?)error["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_translated_answer_past_the_limit_is_a_502_in_the_clients_envelope()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.Default = (context, _) => WriteOversizedAnswerAsync(context, announced: false);
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/messages", Requests.Json(
            """{"model":"gpt-test","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}"""), Ct);

        var error = await AnthropicErrorAssert.ReadAsync(response, HttpStatusCode.BadGateway, "api_error");
        Assert.Contains("larger than the gateway's limit", (string?)error["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_answer_past_the_limit_keeps_the_upstreams_status()
    {
        // The error body is not read past the limit; its status still says what went wrong.
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.Default = (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return WriteOversizedAnswerAsync(context, announced: true);
        };
        using var http = gateway.HttpClient();

        using var response = await http.PostAsync("/v1/messages", Requests.Json(
            """{"model":"gpt-test","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}"""), Ct);

        await AnthropicErrorAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_request_error");
    }

    [Fact]
    public async Task Translated_embeddings_cut_short_by_the_upstream_are_a_502()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.Default = (context, _) => WriteCutShortAsync(context, """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,"""u8.ToArray());
        using var http = gateway.HttpClient(key: null);

        using var response = await http.PostAsync(GeminiEmbed, Requests.Json("""{"content":{"parts":[{"text":"hi"}]}}"""), Ct);

        await GeminiErrorAssert.ReadAsync(response, HttpStatusCode.BadGateway, "UNAVAILABLE");
    }

    [Fact]
    public async Task Translated_embeddings_past_the_limit_are_a_502()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.Default = (context, _) => WriteOversizedAnswerAsync(context, announced: false);
        using var http = gateway.HttpClient(key: null);

        using var response = await http.PostAsync(GeminiEmbed, Requests.Json("""{"content":{"parts":[{"text":"hi"}]}}"""), Ct);

        var error = await GeminiErrorAssert.ReadAsync(response, HttpStatusCode.BadGateway, "UNAVAILABLE");
        Assert.Contains("larger than the gateway's limit", (string?)error["message"], StringComparison.Ordinal);
    }

    /// <summary>
    /// A JSON answer one piece past <see cref="UpstreamClient.MaxAnswerBytes"/>, with its length in
    /// <c>Content-Length</c> or sent chunked; the upstream stops writing once the gateway hangs up.
    /// </summary>
    internal static async Task WriteOversizedAnswerAsync(HttpContext context, bool announced)
    {
        const int piece = 1 << 20;
        var pieces = (UpstreamClient.MaxAnswerBytes / piece) + 1;
        context.Response.ContentType = "application/json";
        if (announced)
        {
            context.Response.ContentLength = (long)pieces * piece;
        }

        var filler = Encoding.ASCII.GetBytes(new string(' ', piece));
        try
        {
            await context.Response.Body.WriteAsync("{\"id\":\"chatcmpl-huge\",\"x\":\""u8.ToArray(), context.RequestAborted);
            for (var i = 0; i < pieces; i++)
            {
                await context.Response.Body.WriteAsync(filler, context.RequestAborted);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            // The gateway stopped reading, as it should.
        }
    }

    /// <summary>Announces more than it sends, sends <paramref name="start"/>, and drops the connection.</summary>
    internal static async Task WriteCutShortAsync(HttpContext context, byte[] start)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = 10_000;
        await context.Response.Body.WriteAsync(start);
        await context.Response.Body.FlushAsync();
        context.Abort();
    }
}
