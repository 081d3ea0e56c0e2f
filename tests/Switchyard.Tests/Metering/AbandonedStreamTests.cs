using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Metering;

/// <summary>
/// A client that leaves mid-stream is charged for what was relayed (docs/behaviour.md), estimated from
/// the text relayed when the upstream never got to report usage.
/// </summary>
public sealed class AbandonedStreamTests
{
    private const int Pieces = 3;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>One credit per output token, input free: the charge counts the output tokens relayed.</summary>
    private static Task<GatewayInstance> StartAsync(FakeUpstream upstream, TestStorage storage) =>
        GatewayInstance.StartWithOpenAIAsync(upstream, config =>
        {
            storage.Apply(config);
            config["models"]![0]!["pricing"] = new JsonObject { ["inputPerMTok"] = 0, ["outputPerMTok"] = 1_000_000 };
        });

    /// <summary>An upstream that streams a role chunk and <see cref="Pieces"/> four-character pieces, then hangs without usage.</summary>
    private static void EnqueueHangingStream(FakeUpstream upstream) => upstream.Enqueue(async (context, _) =>
    {
        context.Response.ContentType = "text/event-stream";
        await context.Response.WriteAsync(UpstreamAnswers.Chunk("""{"role":"assistant","content":""}""") + "\n\n", context.RequestAborted);
        for (var i = 0; i < Pieces; i++)
        {
            await context.Response.WriteAsync(UpstreamAnswers.Chunk("""{"content":"abcd"}""") + "\n\n", context.RequestAborted);
        }

        await context.Response.Body.FlushAsync(context.RequestAborted);
        await Task.Delay(Timeout.Infinite, context.RequestAborted);
    });

    private static async Task<JsonNode> AbandonedRowAsync(GatewayInstance gateway)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if ((await AdminApi.RequestsAsync(gateway, "status=499")).FirstOrDefault() is { } row)
            {
                return row;
            }

            await Task.Delay(50, Cancel);
        }

        throw new Xunit.Sdk.XunitException("The abandoned request never reached the request log.");
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task A_passthrough_stream_left_mid_way_is_charged_for_the_text_relayed(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        EnqueueHangingStream(upstream);
        await using var gateway = await StartAsync(upstream, storage);
        var (id, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "leaver", ["credits"] = 100, ["maxConcurrent"] = 1 });
        var client = gateway.OpenAIClient(secret).GetChatClient("gpt-test");

        var received = new List<string>();
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("count")], new ChatCompletionOptions { MaxOutputTokenCount = 50 }, Cancel))
        {
            received.AddRange(update.ContentUpdate.Select(part => part.Text));
            if (received.Count(text => text == "abcd") == Pieces)
            {
                break;
            }
        }

        var row = await AbandonedRowAsync(gateway);
        var key = await AdminApi.KeyAsync(gateway, id);

        Assert.Equal(Pieces, (int?)row["outputTokens"]);
        Assert.Equal(Pieces, (decimal?)row["cost"]);
        Assert.Equal(Pieces, (decimal?)key["credits"]!["spent"]);
        Assert.NotNull((double?)row["ttftMs"]);
    }

    [Fact]
    public async Task A_translated_stream_left_mid_way_is_charged_for_the_text_relayed()
    {
        await using var storage = await TestStorage.CreateAsync(TestStorage.Sqlite);
        await using var upstream = await FakeUpstream.StartAsync();
        EnqueueHangingStream(upstream);
        await using var gateway = await StartAsync(upstream, storage);
        using var http = gateway.HttpClient();
        var body = """{"model":"gpt-test","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"count"}]}""";

        using (var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = Requests.Json(body) }, HttpCompletionOption.ResponseHeadersRead, Cancel))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Cancel));
            var pieces = 0;
            while (pieces < Pieces && await reader.ReadLineAsync(Cancel) is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal) && JsonNode.Parse(line[6..])?["delta"]?["text"]?.GetValue<string>() == "abcd")
                {
                    pieces++;
                }
            }
        }

        var row = await AbandonedRowAsync(gateway);

        Assert.Equal("messages", (string?)row["surface"]);
        Assert.Equal(Pieces, (int?)row["outputTokens"]);
        Assert.Equal(Pieces, (decimal?)row["cost"]);
    }

    [Fact]
    public async Task An_unbudgeted_stream_left_mid_way_is_charged_its_inputs_real_tokens_not_its_bytes()
    {
        // No budget holds this caller, so admission keeps the byte bound; the charge still counts the input with the model's tokenizer.
        var text = string.Concat(Enumerable.Repeat("東京都の天気は晴れ、気温は二十三度です。", 40));
        var tokens = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("o200k_base").CountTokens(text);
        await using var storage = await TestStorage.CreateAsync(TestStorage.Sqlite);
        await using var upstream = await FakeUpstream.StartAsync();
        EnqueueHangingStream(upstream);
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
        {
            storage.Apply(config);
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "counted", ["provider"] = "oai", ["model"] = "gpt-4o-mini" });
        });
        var client = gateway.OpenAIClient().GetChatClient("counted");

        var pieces = 0;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage(text)], cancellationToken: Cancel))
        {
            pieces += update.ContentUpdate.Count(part => part.Text == "abcd");
            if (pieces == Pieces)
            {
                break;
            }
        }

        var row = await AbandonedRowAsync(gateway);

        Assert.InRange((long)row["inputTokens"]!, tokens, tokens + 20);
        Assert.True(tokens * 2 < System.Text.Encoding.UTF8.GetByteCount(text), "the byte bound would have shown");
    }

    [Fact]
    public async Task A_stream_that_reports_usage_is_charged_its_usage_once()
    {
        await using var storage = await TestStorage.CreateAsync(TestStorage.Sqlite);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.EnqueueSse(UpstreamAnswers.TextStream("abcd", "abcd"));
        await using var gateway = await StartAsync(upstream, storage);
        var client = gateway.OpenAIClient().GetChatClient("gpt-test");

        var updates = new List<StreamingChatCompletionUpdate>();
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("count")], cancellationToken: Cancel))
        {
            updates.Add(update);
        }

        var row = Assert.Single(await AdminApi.RequestsAsync(gateway, "model=gpt-test"))!;

        // TextStream reports 7 prompt tokens and one completion token per piece.
        Assert.Equal(200, (int?)row["status"]);
        Assert.Equal(7, (int?)row["inputTokens"]);
        Assert.Equal(2, (int?)row["outputTokens"]);
        Assert.Equal(2m, (decimal?)row["cost"]);
        Assert.Equal(2, updates.Last(u => u.Usage is not null).Usage.OutputTokenCount);
    }
}
