using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Switchyard.Configuration;
using Switchyard.Hosting;
using Switchyard.Metering;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Metering;

/// <summary>
/// The ledger survives its store. While PostgreSQL is unreachable (a relay in front of it is cut)
/// or SQLite is locked by another writer, requests are answered without waiting for the ledger,
/// whose rows go to the spool file; once the store is back, and at the next start, every row lands
/// exactly once. Account and admin routes answer 503 in their own envelopes meanwhile.
/// </summary>
public sealed class StoreOutageTests
{
    private const string Chat = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}""";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task Requests_are_served_while_the_store_is_down_and_every_row_lands_once_when_it_is_back(string kind)
    {
        await using var store = await OutageStore.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok", promptTokens: 10, completionTokens: 5));
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, store.Apply);
        var writer = gateway.Services.GetRequiredService<UsageWriter>();
        var (limitedId, limitedSecret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "limited", ["rpm"] = 100_000, ["credits"] = 100 });
        using var unlimited = gateway.HttpClient();
        using var limited = gateway.HttpClient(limitedSecret);
        using var admin = gateway.AdminClient();
        var served = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            served.Add(await ChatAsync(unlimited));
            served.Add(await ChatAsync(limited));
        }

        await store.DownAsync();
        for (var i = 0; i < 20; i++)
        {
            served.Add(await ChatAsync(unlimited));
        }

        // SQLite's counters live in this process; PostgreSQL's are leased: the slice, then a 503.
        var limitedStatuses = new List<HttpStatusCode>();
        for (var i = 0; i < (kind == TestStorage.Sqlite ? 20 : 500) && !limitedStatuses.Contains(HttpStatusCode.ServiceUnavailable); i++)
        {
            using var response = await limited.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
            limitedStatuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                served.Add(RequestId(response));
            }
            else
            {
                await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.ServiceUnavailable, "server_error", "store_unavailable");
                Assert.True(response.Headers.Contains("Retry-After"));
            }
        }

        await writer.FlushAsync(Cancel);
        var spooled = writer.Spooled;
        HttpResponseMessage? adminDown = null;
        HttpResponseMessage? accountDown = null;
        if (kind == TestStorage.Postgres)
        {
            adminDown = await admin.GetAsync("/admin/keys", Cancel);
            accountDown = await unlimited.GetAsync("/v1/key", Cancel);
        }

        await store.UpAsync();
        var rows = await SettledRowsAsync(gateway, served);
        var key = await AdminApi.KeyAsync(gateway, limitedId);

        Assert.InRange(spooled, 1, long.MaxValue);
        if (kind == TestStorage.Sqlite)
        {
            Assert.All(limitedStatuses, status => Assert.Equal(HttpStatusCode.OK, status));
        }
        else
        {
            Assert.All(limitedStatuses, status => Assert.Contains(status, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, limitedStatuses[^1]);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, adminDown!.StatusCode);
            Assert.Equal("application/problem+json", adminDown.Content.Headers.ContentType?.MediaType);
            var problem = JsonNode.Parse(await adminDown.Content.ReadAsStringAsync(Cancel))!;
            Assert.Equal(503, (int?)problem["status"]);
            Assert.Equal("Service Unavailable", (string?)problem["title"]);
            await OpenAIErrorAssert.ReadAsync(accountDown!, HttpStatusCode.ServiceUnavailable, "server_error", "store_unavailable");
        }

        Assert.Equal(rows.Count, rows.Select(r => (string)r!["id"]!).Distinct().Count());
        Assert.Subset(rows.Select(r => (string)r!["id"]!).ToHashSet(), served.ToHashSet());
        Assert.Equal(rows.Where(r => (string?)r!["keyId"] == limitedId).Sum(r => (decimal)r!["cost"]!), (decimal?)key["credits"]!["spent"]);
        Assert.Equal(served.Count, upstream.Requests.Count);
        Assert.Equal(0, writer.Spooled);
        adminDown?.Dispose();
        accountDown?.Dispose();
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task Rows_spooled_before_a_shutdown_are_replayed_once_at_the_next_start(string kind)
    {
        await using var store = await OutageStore.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok", promptTokens: 10, completionTokens: 5));
        var served = new List<string>();
        string limitedId;
        await using (var first = await GatewayInstance.StartWithOpenAIAsync(upstream, store.Apply))
        {
            (limitedId, var secret, _) = await AdminApi.CreateKeyAsync(first, new JsonObject { ["name"] = "limited", ["credits"] = 100 });
            using var unlimited = first.HttpClient();
            using var limited = first.HttpClient(secret);
            served.Add(await ChatAsync(limited));
            await store.DownAsync();
            for (var i = 0; i < 10; i++)
            {
                served.Add(await ChatAsync(unlimited));
            }

            if (kind == TestStorage.Sqlite)
            {
                served.Add(await ChatAsync(limited));
            }

            await first.StopAsync();
        }

        // What the spool holds now: a row the store took too (a write that landed after its
        // timeout) and the torn half of a row (a process killed mid-write).
        var lines = await File.ReadAllLinesAsync(store.SpoolPath, Cancel);
        var landedTwice = JsonSerializer.Deserialize(lines[0], LedgerSpoolJsonContext.Default.UsageRecord)!;
        await File.AppendAllTextAsync(store.SpoolPath, """{"requestId":"torn-row","keyId":"cfg_user","mod""", Cancel);
        await store.UpAsync();
        await using (var stores = StoreFactory.Create(store.Options, _ => null))
        {
            await stores.Ledger.AppendAsync([landedTwice with { HeldCharge = 0, HeldBy = null }], Cancel);
        }

        await using var second = await GatewayInstance.StartWithOpenAIAsync(upstream, store.Apply);
        var rows = await AdminApi.RequestsAsync(second, "limit=1000");
        var key = await AdminApi.KeyAsync(second, limitedId);

        Assert.InRange(lines.Length, 10, 12);
        Assert.Equal(served.Order(StringComparer.Ordinal), rows.Select(r => (string)r!["id"]!).Order(StringComparer.Ordinal));
        Assert.Equal(rows.Where(r => (string?)r!["keyId"] == limitedId).Sum(r => (decimal)r!["cost"]!), (decimal?)key["credits"]!["spent"]);
        Assert.Equal(0, new FileInfo(store.SpoolPath).Length);
        Assert.Equal(served.Count, upstream.Requests.Count);
    }

    private static async Task<string> ChatAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return RequestId(response);
    }

    private static string RequestId(HttpResponseMessage response) => response.Headers.GetValues("X-Request-Id").Single();

    /// <summary>The request log once every served request is in it (the spool is replayed after the store answers again).</summary>
    private static async Task<JsonArray> SettledRowsAsync(GatewayInstance gateway, List<string> served)
    {
        using var admin = gateway.AdminClient();
        for (var attempt = 0; ; attempt++)
        {
            using var response = await admin.GetAsync("/admin/requests?limit=1000", Cancel);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var rows = (await response.Content.ReadFromJsonAsync<JsonObject>(Cancel))!["data"]!.AsArray();
                var ids = rows.Select(r => (string)r!["id"]!).ToHashSet();
                if (served.All(ids.Contains) || attempt >= 200)
                {
                    return rows;
                }
            }

            await Task.Delay(100, Cancel);
        }
    }

    /// <summary>A store a test can take down and bring back: SQLite locked by another writer, or PostgreSQL behind a relay that is cut.</summary>
    private sealed class OutageStore : IAsyncDisposable
    {
        private readonly TestStorage _storage;
        private readonly TcpRelay? _relay;
        private readonly string _directory;
        private SqliteConnection? _lock;
        private SqliteTransaction? _lockTransaction;

        private OutageStore(TestStorage storage, TcpRelay? relay, string directory, StorageOptions options)
        {
            _storage = storage;
            _relay = relay;
            _directory = directory;
            Options = options;
        }

        public StorageOptions Options { get; }

        public string SpoolPath => Options.SpoolPath!;

        public static async Task<OutageStore> CreateAsync(string kind)
        {
            var storage = await TestStorage.CreateAsync(kind);
            var directory = Path.Combine(Path.GetTempPath(), "switchyard-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            var spool = Path.Combine(directory, "ledger.spool");
            if (storage.Database is not { } postgres)
            {
                return new OutageStore(storage, null, directory, new StorageOptions { Kind = "sqlite", Path = Path.Combine(directory, "switchyard.db"), SpoolPath = spool });
            }

            var direct = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
            var relay = TcpRelay.Start(direct.Host!, direct.Port);
            var viaRelay = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Host = "127.0.0.1", Port = relay.Port, Timeout = 3 };
            return new OutageStore(storage, relay, directory, new StorageOptions { Kind = "postgres", ConnectionString = viaRelay.ConnectionString, SpoolPath = spool });
        }

        public void Apply(JsonObject config) => config["storage"] = Options.Kind == "sqlite"
            ? new JsonObject { ["kind"] = "sqlite", ["path"] = Options.Path, ["spoolPath"] = Options.SpoolPath }
            : new JsonObject { ["kind"] = "postgres", ["connectionString"] = Options.ConnectionString, ["spoolPath"] = Options.SpoolPath };

        public async Task DownAsync()
        {
            if (_relay is not null)
            {
                await _relay.StopAsync();
                return;
            }

            // Another writer holds the lock (a backup, a long transaction): reads go on, writes wait.
            _lock = new SqliteConnection($"Data Source={Options.Path};Pooling=false");
            await _lock.OpenAsync(Cancel);
            _lockTransaction = _lock.BeginTransaction(deferred: false);
        }

        public async Task UpAsync()
        {
            if (_relay is not null)
            {
                _relay.Restart();
                return;
            }

            await _lockTransaction!.RollbackAsync(Cancel);
            await _lock!.DisposeAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (_relay is not null)
            {
                await _relay.DisposeAsync();
            }

            if (_lock is not null)
            {
                await _lock.DisposeAsync();
            }

            await _storage.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
