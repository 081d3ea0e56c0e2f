using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Pipeline;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Pipeline;

/// <summary>
/// Nobody holds the process: a key's slot is taken from its headers, before its body is read, so
/// bodies that trickle in count against the key's <c>maxConcurrent</c>; a body slower than the
/// minimum rate is cut off with a 408; and the bodies being read at once are bounded.
/// </summary>
public sealed class AdmissionBeforeBodyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Chat = """{"model":"echo","messages":[{"role":"user","content":"hi"}]}""";

    /// <summary>Opens a raw connection that sends a request's headers and the first bytes of its body, then waits.</summary>
    private static async Task<TcpClient> StartSlowUploadAsync(GatewayInstance gateway, string key, int declaredLength, int sent)
    {
        var uri = new Uri(gateway.BaseUrl);
        var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port, Ct);
        var head = $"POST /v1/chat/completions HTTP/1.1\r\nHost: {uri.Authority}\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: {declaredLength}\r\n\r\n";
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);
        const string start = "{\"model\":\"echo\",\"messages\":[],\"pad\":\"";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(start + new string('x', Math.Max(0, sent - start.Length))), Ct);
        await stream.FlushAsync(Ct);
        return client;
    }

    private static async Task<string> ReadResponseAsync(TcpClient client, TimeSpan within)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(within);
        var buffer = new byte[8192];
        var text = new StringBuilder();
        var stream = client.GetStream();
        try
        {
            while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
        }

        return text.ToString();
    }

    [Fact]
    public async Task A_body_still_arriving_holds_its_keys_slot()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        // No minimum body rate: the upload must stay unfinished, not be cut with a 408, however slow the machine.
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream,
            config => config["limits"] = new JsonObject { ["minBodyBytesPerSecond"] = 0 });
        var (_, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "one-at-a-time", ["maxConcurrent"] = 1 });
        using var slow = await StartSlowUploadAsync(gateway, secret, declaredLength: 4000, sent: 100);
        using var sameKey = gateway.HttpClient(secret);
        using var otherKey = gateway.HttpClient();

        var unanswered = await ReadResponseAsync(slow, TimeSpan.FromSeconds(2));
        using var refused = await sameKey.PostAsync("/v1/chat/completions", Requests.Json(Chat), Ct);
        using var served = await otherKey.PostAsync("/v1/chat/completions", Requests.Json(Chat), Ct);
        slow.Close();
        using var afterwards = await RetryWhileRefusedAsync(sameKey);

        Assert.Equal("", unanswered);
        await OpenAIErrorAssert.ReadAsync(refused, HttpStatusCode.TooManyRequests, "rate_limit_error", "rate_limit_exceeded");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
    }

    /// <summary>The slow upload's slot comes back once the gateway sees its connection close.</summary>
    private static async Task<HttpResponseMessage> RetryWhileRefusedAsync(HttpClient client)
    {
        for (var i = 0; ; i++)
        {
            var response = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat), Ct);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || i == 50)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(100, Ct);
        }
    }

    [Fact]
    public async Task A_body_slower_than_the_minimum_rate_is_cut_off_with_a_408()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream,
            config => config["limits"] = new JsonObject { ["minBodyBytesPerSecond"] = 2000 });

        using var slow = await StartSlowUploadAsync(gateway, GatewayInstance.UserKey, declaredLength: 100_000, sent: 100);
        var response = await ReadResponseAsync(slow, TimeSpan.FromSeconds(20));

        Assert.StartsWith("HTTP/1.1 408", response, StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task A_minimum_rate_of_zero_lets_a_body_slower_than_any_rate_finish()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream,
            config => config["limits"] = new JsonObject { ["minBodyBytesPerSecond"] = 0 });
        var body = Encoding.ASCII.GetBytes("""{"model":"echo","messages":[{"role":"user","content":"hi"}]}""");
        var uri = new Uri(gateway.BaseUrl);
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port, Ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1/chat/completions HTTP/1.1\r\nHost: {uri.Authority}\r\nAuthorization: Bearer {GatewayInstance.UserKey}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"), Ct);
        await stream.WriteAsync(body.AsMemory(0, 10), Ct);

        // 10 bytes in 7 s: below Kestrel's own minimum (240 bytes a second after 5 s), which 0 turns off too.
        await Task.Delay(TimeSpan.FromSeconds(7), Ct);
        await stream.WriteAsync(body.AsMemory(10), Ct);
        var response = await ReadResponseAsync(client, TimeSpan.FromSeconds(20));

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bodies_past_what_the_process_may_hold_are_refused_with_a_503()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream,
            config => config["limits"] = new JsonObject { ["maxBodyBytes"] = 64 * 1024, ["maxBufferedBytes"] = 64 * 1024 });
        using var holding = await StartSlowUploadAsync(gateway, GatewayInstance.UserKey, declaredLength: 64 * 1024, sent: 48 * 1024);

        // Until the gateway has read what was sent (its first request: on a busy machine, a while).
        var budget = gateway.Services.GetRequiredService<BodyBudget>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (budget.InUse < 48 * 1024 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Ct);
        }

        Assert.Equal(48 * 1024, budget.InUse);
        using var client = gateway.HttpClient();
        var big = "{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"pad\":\"" + new string('x', 40 * 1024) + "\"}";

        using var refused = await client.PostAsync("/v1/chat/completions", Requests.Json(big), Ct);
        holding.Close();

        await OpenAIErrorAssert.ReadAsync(refused, HttpStatusCode.ServiceUnavailable, "server_error", "gateway_busy");
        Assert.Equal("1", refused.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(upstream.Requests);
    }
}
