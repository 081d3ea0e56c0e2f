using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;
using Switchyard.Alerts;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Alerts;

/// <summary>
/// Alerts end to end: a real gateway, a scripted upstream, and a webhook receiver played by the
/// test. Each event must arrive once, signed (checked here with the receiver's own HMAC, as the
/// docs tell a receiver to), and within the 5 seconds the console promises.
/// </summary>
public sealed class WebhookAlertsTests
{
    private const string Secret = "whsec-test-0123456789";
    private static readonly TimeSpan Promise = TimeSpan.FromSeconds(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_event_reaches_the_receiver_once_signed_and_within_5_seconds()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, receiver, "json");
        using var admin = gateway.AdminClient();

        // Credits: 2 credits, each request costs exactly 1 (4 output tokens at 0.25).
        var created = await admin.PostAsJsonAsync("/admin/keys", new { name = "budget", credits = 2 }, Ct);
        var key = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var chat = gateway.OpenAIClient(key.GetProperty("key").GetString()!).GetChatClient("priced");
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("one", promptTokens: 5, completionTokens: 4));
        await chat.CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 4 }, Ct);
        var half = await receiver.WaitForAsync(Is("key.credits"), 1, Promise);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("two", promptTokens: 5, completionTokens: 4));
        await chat.CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 4 }, Ct);
        var credits = await receiver.WaitForAsync(Is("key.credits"), 3, Promise);

        // A deployment benched (one failure benches it here) and recovered (its probe passes).
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, "{\"error\":{\"message\":\"down\"}}", 500);
        var failed = await gateway.HttpClient().PostAsJsonAsync("/v1/chat/completions", new { model = "flaky", messages = new[] { new { role = "user", content = "x" } } }, Ct);
        var benched = await receiver.WaitForAsync(Is("deployment.benched"), 1, Promise);
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("back"));
        var recoveredStatus = await RequestUntilServedAsync(gateway);
        var recovered = await receiver.WaitForAsync(Is("deployment.recovered"), 1, Promise);

        // A key revoked, twice: announced once.
        var id = key.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/admin/keys/{id}", Ct)).StatusCode);
        var revoked = await receiver.WaitForAsync(Is("key.revoked"), 1, Promise);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/admin/keys/{id}", Ct)).StatusCode);

        Assert.Single(half);
        Assert.Equal(50, half[0].Json.GetProperty("data").GetProperty("threshold").GetInt32());
        Assert.Equal([50, 80, 100], credits.Select(c => c.Json.GetProperty("data").GetProperty("threshold").GetInt32()).Order());
        Assert.Equal(2m, credits.Single(c => c.Json.GetProperty("data").GetProperty("threshold").GetInt32() == 100).Json.GetProperty("data").GetProperty("spent").GetDecimal());
        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Equal("oai/flaky-upstream", Assert.Single(benched).Json.GetProperty("data").GetProperty("deployment").GetString());
        Assert.Equal(HttpStatusCode.OK, recoveredStatus);
        Assert.Equal("oai/flaky-upstream", Assert.Single(recovered).Json.GetProperty("data").GetProperty("deployment").GetString());
        Assert.Equal(id, Assert.Single(revoked).Json.GetProperty("data").GetProperty("keyId").GetString());

        // Once each: the gateway made six deliveries in all, and the receiver got six, each signed and distinct.
        var log = gateway.Services.GetRequiredService<DeliveryLog>().Latest();
        Assert.Equal(6, log.Count);
        Assert.All(log, d => Assert.Equal(DeliveryState.Delivered, d.Snapshot().State));
        var all = receiver.Posts.ToList();
        Assert.Equal(6, all.Count);
        Assert.Equal(6, all.Select(p => p.Json.GetProperty("id").GetString()).Distinct().Count());
        Assert.All(all, post =>
        {
            Assert.True(SignatureIsValid(post), "signature");
            Assert.Equal(post.Json.GetProperty("type").GetString(), post.Header("Switchyard-Event"));
            Assert.Equal("/hooks/switchyard?token=t0ps3cret", post.PathAndQuery);
        });
    }

    [Fact]
    public async Task A_teams_spending_across_its_keys_is_announced_at_each_threshold_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, receiver, "json");
        using var admin = gateway.AdminClient();

        // 2 credits for the team, none of the keys' own; each request costs exactly 1.
        var team = await (await admin.PostAsJsonAsync("/admin/teams", new { name = "research", credits = 2 }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var teamId = team.GetProperty("id").GetString()!;
        var chats = new List<ChatClient>();
        foreach (var name in new[] { "alice", "bob" })
        {
            var key = await (await admin.PostAsJsonAsync("/admin/keys", new { name, team = teamId }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
            chats.Add(gateway.OpenAIClient(key.GetProperty("key").GetString()!).GetChatClient("priced"));
        }

        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("one", promptTokens: 5, completionTokens: 4));
        await chats[0].CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 4 }, Ct);
        var half = await receiver.WaitForAsync(Is("team.credits"), 1, Promise);
        upstream.EnqueueJson(UpstreamAnswers.ChatCompletion("two", promptTokens: 5, completionTokens: 4));
        await chats[1].CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 4 }, Ct);
        var all = await receiver.WaitForAsync(Is("team.credits"), 3, Promise);
        var refused = await Assert.ThrowsAsync<ClientResultException>(() =>
            chats[0].CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 4 }, Ct));

        Assert.Equal(50, Assert.Single(half).Json.GetProperty("data").GetProperty("threshold").GetInt32());
        Assert.Equal([50, 80, 100], all.Select(c => c.Json.GetProperty("data").GetProperty("threshold").GetInt32()).Order());
        var full = all.Single(c => c.Json.GetProperty("data").GetProperty("threshold").GetInt32() == 100).Json;
        Assert.Equal(teamId, full.GetProperty("data").GetProperty("teamId").GetString());
        Assert.Equal("research", full.GetProperty("data").GetProperty("teamName").GetString());
        Assert.Equal(2m, full.GetProperty("data").GetProperty("spent").GetDecimal());
        Assert.Equal(2m, full.GetProperty("data").GetProperty("granted").GetDecimal());
        Assert.Contains("Team 'research'", full.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(402, refused.Status);
        Assert.All(receiver.Posts, post => Assert.True(SignatureIsValid(post), "signature"));
        Assert.Equal(3, receiver.Posts.Count);
    }

    [Fact]
    public async Task A_receiver_that_fails_twice_gets_the_alert_on_the_third_try()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, receiver, "slack");
        using var admin = gateway.AdminClient();
        var created = await (await admin.PostAsJsonAsync("/admin/keys", new { name = "<b>bold</b> & co" }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        receiver.FailNext(2);

        await admin.DeleteAsync($"/admin/keys/{created.GetProperty("id").GetString()}", Ct);
        var delivered = await receiver.WaitForAsync(_ => true, 1, Promise);

        var posts = receiver.Posts.ToList();
        Assert.Equal([500, 500, 200], posts.Select(p => p.Status));
        Assert.Single(posts.Select(p => p.Header("Switchyard-Delivery")).Distinct());
        Assert.All(posts, post => Assert.True(SignatureIsValid(post), "signature"));

        // Slack-compatible: a text message, with the characters Slack reads as markup escaped.
        var text = Assert.Single(delivered).Json.GetProperty("text").GetString()!;
        Assert.Contains("&lt;b&gt;bold&lt;/b&gt; &amp; co", text, StringComparison.Ordinal);
        // The receiver has its answer a moment before the gateway has read it back.
        var delivery = Assert.Single(gateway.Services.GetRequiredService<DeliveryLog>().Latest());
        var deadline = DateTime.UtcNow + Promise;
        while (delivery.Snapshot().State != DeliveryState.Delivered && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Ct);
        }

        var (attempts, status, _, state, _) = delivery.Snapshot();
        Assert.Equal((3, 200, DeliveryState.Delivered), (attempts, status, state));
    }

    /// <summary>What a receiver does: HMAC-SHA256 over "{timestamp}.{body}" with the shared secret, compared with the header.</summary>
    private static bool SignatureIsValid(WebhookReceiver.Received post)
    {
        var signed = Encoding.UTF8.GetBytes(post.Header("Switchyard-Timestamp") + ".").Concat(post.Body).ToArray();
        var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), signed));
        return long.TryParse(post.Header("Switchyard-Timestamp"), out var timestamp)
            && Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp) < 300
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(post.Header("Switchyard-Signature")));
    }

    private static Func<WebhookReceiver.Received, bool> Is(string type) => post => post.Json.TryGetProperty("type", out var t) ? t.GetString() == type : post.Header("Switchyard-Event") == type;

    /// <summary>Retries while the deployment sits out its bench (answered 503 at once), until its probe is let through.</summary>
    private static async Task<HttpStatusCode> RequestUntilServedAsync(GatewayInstance gateway)
    {
        using var client = gateway.HttpClient();
        for (var i = 0; i < 200; i++)
        {
            var response = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "flaky", messages = new[] { new { role = "user", content = "x" } } }, Ct);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                return response.StatusCode;
            }

            await Task.Delay(50, Ct);
        }

        return HttpStatusCode.ServiceUnavailable;
    }

    private static Task<GatewayInstance> StartAsync(FakeUpstream upstream, WebhookReceiver receiver, string format) => GatewayInstance.StartAsync(config =>
    {
        config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "oai", ["type"] = "openai", ["baseUrl"] = upstream.BaseUrl + "/v1", ["apiKey"] = GatewayInstance.UpstreamKey, ["retries"] = 0 });
        config["models"]!.AsArray().Add(new JsonObject
        {
            ["id"] = "priced", ["provider"] = "oai", ["model"] = "priced-upstream",
            ["pricing"] = new JsonObject { ["inputPerMTok"] = 0, ["outputPerMTok"] = 250000 },
        });
        config["models"]!.AsArray().Add(new JsonObject { ["id"] = "flaky", ["provider"] = "oai", ["model"] = "flaky-upstream" });
        config["routing"] = new JsonObject { ["benchAfterFailures"] = 1, ["benchSeconds"] = 0.3, ["backoffMilliseconds"] = 1 };
        config["alerts"] = new JsonObject
        {
            ["webhooks"] = new JsonArray { new JsonObject { ["url"] = receiver.Url, ["secret"] = Secret, ["format"] = format } },
        };
    });
}
