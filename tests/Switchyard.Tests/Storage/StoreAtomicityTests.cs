using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Storage;

/// <summary>Changes to the store are atomic: no top-up is lost to a concurrent edit, no migration step runs twice.</summary>
public sealed class StoreAtomicityTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task Concurrent_top_ups_all_count_whatever_patches_run_beside_them(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, storage.Apply);
        var (id, _, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "contested", ["credits"] = 0 });
        using var admin = gateway.AdminClient();
        const int TopUps = 40;

        var statuses = await Task.WhenAll(Enumerable.Range(0, TopUps).SelectMany(i => new[]
        {
            Status(admin.PostAsync($"/admin/keys/{id}/credits", Requests.Json("""{"amount":1.25}"""), Cancel)),
            Status(admin.PatchAsync("/admin/keys/" + id, Requests.Json($$"""{"name":"contested-{{i}}","rpm":{{100 + i}}}"""), Cancel)),
        }));
        var key = await AdminApi.KeyAsync(gateway, id);

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(TopUps * 1.25m, (decimal?)key["credits"]!["granted"]);
        Assert.StartsWith("contested-", (string?)key["name"], StringComparison.Ordinal);
        Assert.InRange((int)key["rpm"]!, 100, 100 + TopUps - 1);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task A_patch_sets_only_the_fields_it_names()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var (id, _, _) = await AdminApi.CreateKeyAsync(gateway, JsonNode.Parse("""{"name":"partial","rpm":10,"tpm":1000,"credits":5,"allowedModels":["gpt-test"]}""")!.AsObject());
        using var admin = gateway.AdminClient();

        using var topUp = await admin.PostAsync($"/admin/keys/{id}/credits", Requests.Json("""{"amount":2}"""), Cancel);
        using var patch = await admin.PatchAsync("/admin/keys/" + id, Requests.Json("""{"tpm":null}"""), Cancel);
        var patched = (await patch.Content.ReadFromJsonAsync<JsonObject>(Cancel))!;
        using var missing = await admin.PatchAsync("/admin/keys/key_nope", Requests.Json("""{"rpm":1}"""), Cancel);

        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal(7m, (decimal?)patched["credits"]!["granted"]);
        Assert.Null(patched["tpm"]);
        Assert.Equal(10, (int?)patched["rpm"]);
        Assert.Equal("partial", (string?)patched["name"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""["gpt-test"]"""), patched["allowedModels"]));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>
    /// <c>serve</c> and CLI commands started together on a new SQLite file: every process
    /// migrates it, each step is applied once, and all of them work. The test holds the write lock
    /// while they start, so all of them are at the migration when it is released.
    /// </summary>
    [Fact]
    public async Task Sqlite_migrations_run_once_when_serve_and_the_cli_start_together()
    {
        var directory = Path.Combine(Path.GetTempPath(), "switchyard-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var database = Path.Combine(directory, "switchyard.db");
        var config = Path.Combine(directory, "cli.json");
        await File.WriteAllTextAsync(config, new JsonObject
        {
            ["masterKey"] = GatewayInstance.MasterKey,
            ["storage"] = new JsonObject { ["kind"] = "sqlite", ["path"] = database },
        }.ToJsonString(), Cancel);
        try
        {
            await using (var holder = new SqliteConnection($"Data Source={database};Pooling=false"))
            {
                await holder.OpenAsync(Cancel);
                await Execute(holder, "PRAGMA journal_mode=WAL; CREATE TABLE schema_version (version INTEGER NOT NULL);");
                await using var writeLock = holder.BeginTransaction(deferred: false);
                var cli = Enumerable.Range(0, 4).Select(_ => RunCliAsync("keys", "list", "--config", config)).ToList();
                var serve = GatewayInstance.StartAsync(c => c["storage"] = new JsonObject { ["kind"] = "sqlite", ["path"] = database });
                await Task.Delay(TimeSpan.FromSeconds(5), Cancel);
                await writeLock.CommitAsync(Cancel);

                var results = await Task.WhenAll(cli);
                await using var gateway = await serve;
                using var models = await gateway.HttpClient().GetAsync("/v1/models", Cancel);

                Assert.All(results, r => Assert.True(r.Exit == 0, r.Error));
                Assert.Equal(HttpStatusCode.OK, models.StatusCode);
            }

            var versions = await VersionsAsync(database);

            Assert.Equal(Enumerable.Range(1, Switchyard.Storage.Sqlite.SqliteMigrations.Steps.Length).Select(v => (long)v), versions);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task Execute(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Cancel);
    }

    [Fact]
    public async Task A_burst_beyond_the_servers_connection_limit_waits_for_the_pool_instead_of_failing()
    {
        // PostgreSQL's default max_connections is 100; with Npgsql's default pool of 100 a
        // process, 150 concurrent writes were refused at the server (53300) and answered 503.
        const int Burst = 150;
        await using var storage = await TestStorage.CreateAsync(TestStorage.Postgres);
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, storage.Apply);
        var (id, _, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "burst", ["credits"] = 0 });
        using var admin = gateway.AdminClient();

        var statuses = await Task.WhenAll(Enumerable.Range(0, Burst).Select(_ =>
            Status(admin.PostAsync($"/admin/keys/{id}/credits", Requests.Json("""{"amount":1}"""), Cancel))));
        var key = await AdminApi.KeyAsync(gateway, id);

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(Burst * 1m, (decimal?)key["credits"]!["granted"]);
    }

    private static async Task<HttpStatusCode> Status(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        return response.StatusCode;
    }

    private static async Task<List<long>> VersionsAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=false");
        await connection.OpenAsync(Cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_version ORDER BY version;";
        var versions = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        while (await reader.ReadAsync(Cancel))
        {
            versions.Add(reader.GetInt64(0));
        }

        return versions;
    }

    /// <summary>The real executable in a process of its own, as an operator runs it beside <c>serve</c>.</summary>
    internal static async Task<(int Exit, string Output, string Error)> RunCliAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Switchyard.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Cancel);
        var error = process.StandardError.ReadToEndAsync(Cancel);
        await process.WaitForExitAsync(Cancel);
        return (process.ExitCode, await output, await error);
    }
}
