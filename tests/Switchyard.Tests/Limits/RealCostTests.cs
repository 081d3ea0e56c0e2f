using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Limits;

/// <summary>
/// A request whose real cost exceeds its reservation (an upstream that ignores <c>max_tokens</c>)
/// is charged what it cost, in the ledger and in the key's spent, on SQLite and PostgreSQL. The key
/// may fall below zero by the excess of its requests in flight (admitted and not yet settled); the
/// next request is a 402. A request is settled just after its last byte is written, so the tests
/// wait for the charge to show before sending the next one.
/// </summary>
public sealed class RealCostTests
{
    // 10 output tokens reserved at 100 credits per million: 0.001; the upstream reports 5000: 0.5.
    private const string Chat = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"max_tokens":10}""";
    private const decimal Cost = 0.5m;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static Task<GatewayInstance> StartAsync(FakeUpstream upstream, TestStorage storage) =>
        GatewayInstance.StartWithOpenAIAsync(upstream, config =>
        {
            storage.Apply(config);
            config["models"]![0]!["pricing"] = new JsonObject { ["inputPerMTok"] = 0, ["outputPerMTok"] = 100 };
        });

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task Each_request_is_charged_its_real_cost_and_the_one_after_the_balance_runs_out_is_402(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("long", promptTokens: 0, completionTokens: 5000));
        await using var gateway = await StartAsync(upstream, storage);
        var (id, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "overspent", ["credits"] = 0.6 });
        using var client = gateway.HttpClient(secret);

        using var first = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        await SpentAsync(client, Cost);
        using var second = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        await SpentAsync(client, 2 * Cost);
        using var third = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        var key = await AdminApi.KeyAsync(gateway, id);
        var rows = await AdminApi.RequestsAsync(gateway, "keyId=" + id);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(Cost, (decimal?)(await first.Content.ReadFromJsonAsync<JsonObject>(Cancel))!["usage"]!["cost"]);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(Cost, (decimal?)(await second.Content.ReadFromJsonAsync<JsonObject>(Cancel))!["usage"]!["cost"]);
        await OpenAIErrorAssert.ReadAsync(third, HttpStatusCode.PaymentRequired, "insufficient_quota", "insufficient_quota");
        Assert.Equal(2 * Cost, (decimal?)key["credits"]!["spent"]);
        Assert.Equal(0.6m - 2 * Cost, (decimal?)key["credits"]!["remaining"]);
        Assert.Equal([402, 200, 200], rows.Select(r => (int)r!["status"]!));
        Assert.Equal([0m, Cost, Cost], rows.Select(r => (decimal)r!["cost"]!));
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task Requests_in_flight_when_the_balance_runs_out_are_charged_in_full_and_no_more_are_admitted(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        upstream.Default = async (context, _) =>
        {
            await release.Task.WaitAsync(context.RequestAborted);
            await FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("long", promptTokens: 0, completionTokens: 5000));
        };
        await using var gateway = await StartAsync(upstream, storage);
        var (id, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "in-flight", ["credits"] = 0.6 });
        using var client = gateway.HttpClient(secret);
        const int InFlight = 3;

        var sending = Enumerable.Range(0, InFlight).Select(_ => client.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel)).ToList();
        while (upstream.Requests.Count < InFlight)
        {
            await Task.Delay(20, Cancel);
        }

        release.SetResult();
        var answers = await Task.WhenAll(sending);
        await SpentAsync(client, InFlight * Cost);
        using var after = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        var key = await AdminApi.KeyAsync(gateway, id);
        var rows = await AdminApi.RequestsAsync(gateway, "keyId=" + id);

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
        await OpenAIErrorAssert.ReadAsync(after, HttpStatusCode.PaymentRequired, "insufficient_quota", "insufficient_quota");
        Assert.Equal(InFlight * Cost, (decimal?)key["credits"]!["spent"]);
        Assert.Equal(InFlight * Cost, rows.Sum(r => (decimal)r!["cost"]!));
        Assert.Equal(InFlight, upstream.Requests.Count);
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    /// <summary>Waits until the key's own account shows this much spent: its requests are settled.</summary>
    private static async Task SpentAsync(HttpClient client, decimal spent)
    {
        for (var i = 0; i < 200; i++)
        {
            var key = await client.GetFromJsonAsync<JsonObject>("/v1/key", Cancel);
            if ((decimal?)key!["credits"]!["spent"] == spent)
            {
                return;
            }

            await Task.Delay(25, Cancel);
        }

        Assert.Fail($"The key's spent never reached {spent}.");
    }
}
