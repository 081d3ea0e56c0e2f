using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Auth;
using Switchyard.Storage;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Auth;

/// <summary>
/// Invented keys cost nothing lasting: after any number of them the authenticator holds no more
/// than the keys the store has, and the store has seen no more lookups than the budget allows.
/// </summary>
public sealed class UnknownKeysTests
{
    private const string Chat = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}""";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static string Invented() => "sk-sy-" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 40);

    /// <summary>The most lookups the budget allows over <paramref name="elapsed"/>.</summary>
    private static long Allowed(TimeSpan elapsed) => LookupBudget.Burst + (long)Math.Ceiling(elapsed.TotalSeconds * LookupBudget.PerSecond) + 1;

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task A_hundred_thousand_invented_keys_leave_the_cache_and_the_store_alone(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, storage.Apply);
        var authenticator = gateway.Services.GetRequiredService<ApiKeyAuthenticator>();
        var store = gateway.Services.GetRequiredService<IKeyStore>();
        var (_, before, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "before" });
        Assert.NotNull(await authenticator.AuthenticateAsync(before, Cancel));
        var lookupsBefore = authenticator.StoreLookups;
        var known = authenticator.Known.Count;
        const int Invented = 100_000;

        var clock = Stopwatch.StartNew();
        var accepted = 0;
        var maxCached = 0;
        for (var i = 0; i < Invented; i++)
        {
            if (await authenticator.AuthenticateAsync(UnknownKeysTests.Invented(), Cancel) is not null)
            {
                accepted++;
            }

            maxCached = Math.Max(maxCached, authenticator.CachedKeys);
        }

        var elapsed = clock.Elapsed;
        var lookups = authenticator.StoreLookups - lookupsBefore;
        var stillBefore = await authenticator.AuthenticateAsync(before, Cancel);
        var (_, made, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "after" });
        var madeHere = await authenticator.AuthenticateAsync(made, Cancel);

        // A key the CLI or another process makes meanwhile is known from the next refresh on.
        var (record, elsewhere) = KeyIssuer.Create("elsewhere", null, null, null, null, null, null, DateTimeOffset.UtcNow);
        await store.InsertAsync(record, Cancel);
        for (var i = 0; i < Invented / 10; i++)
        {
            await authenticator.AuthenticateAsync(UnknownKeysTests.Invented(), Cancel);
        }

        await authenticator.RefreshKnownKeysAsync(Cancel);
        var madeElsewhere = await authenticator.AuthenticateAsync(elsewhere, Cancel);

        Assert.Equal(0, accepted);
        Assert.InRange(maxCached, 0, 1);
        Assert.Equal(known, authenticator.Known.Count - 2);
        Assert.InRange(lookups, 0, Allowed(elapsed));
        Assert.Equal("before", stillBefore?.Name);
        Assert.Equal("after", madeHere?.Name);
        Assert.Equal("elsewhere", madeElsewhere?.Name);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Invented_keys_over_http_are_401s_that_reach_neither_upstream_nor_ledger()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var authenticator = gateway.Services.GetRequiredService<ApiKeyAuthenticator>();
        var lookupsBefore = authenticator.StoreLookups;
        const int Requests = 2_000;

        var clock = Stopwatch.StartNew();
        var statuses = new HttpStatusCode[Requests];
        await Parallel.ForAsync(0, Requests, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Cancel }, async (i, ct) =>
        {
            using var client = gateway.HttpClient(Invented());
            using var response = await client.PostAsync("/v1/chat/completions", Infrastructure.Requests.Json(Chat), ct);
            statuses[i] = response.StatusCode;
            if (i % 100 == 0)
            {
                await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.Unauthorized, "authentication_error", "invalid_api_key");
            }
        });
        var elapsed = clock.Elapsed;
        using var user = gateway.HttpClient();
        using var served = await user.PostAsync("/v1/chat/completions", Infrastructure.Requests.Json("""{"model":"echo","messages":[{"role":"user","content":"hi"}]}"""), Cancel);
        var rows = await AdminApi.RequestsAsync(gateway, "limit=1000");
        var metrics = Exposition.Parse(await user.GetStringAsync("/metrics", Cancel));

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.InRange(authenticator.StoreLookups - lookupsBefore, 0, Allowed(elapsed));
        Assert.Equal(0, authenticator.CachedKeys);
        Assert.Equal(authenticator.StoreLookups, Assert.Single(metrics.Find("switchyard_key_store_lookups_total")).Value);
        Assert.Equal(0, Assert.Single(metrics.Find("switchyard_ledger_spooled")).Value);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Single(rows);
        Assert.Empty(upstream.Requests);
    }
}
