using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Hosting;

/// <summary>The gateway as an operator runs it: the <c>serve</c> command in a process of its own, stopped by a signal.</summary>
public sealed class ServeProcessTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SIGTERM_while_the_store_is_busy_spools_every_row_and_exits_0()
    {
        var directory = Path.Combine(Path.GetTempPath(), "switchyard-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var database = Path.Combine(directory, "switchyard.db");
            var spool = Path.Combine(directory, "ledger.spool");
            var configPath = await WriteEchoConfigAsync(directory, new JsonObject { ["kind"] = "sqlite", ["path"] = database, ["spoolPath"] = spool });

            var output = new StringWriter();
            await using var gateway = await ExternalGateway.StartAsync(ExternalGateway.ServeBuild, configPath, null, LogLevel.Warning, output, onLine: null);

            // Another writer holds the database (a backup, a long transaction): the ledger's rows wait
            // for it past the two seconds a command-line library gives a process after SIGTERM.
            await using var holder = new SqliteConnection($"Data Source={database};Pooling=false");
            await holder.OpenAsync(Cancel);
            using var held = holder.BeginTransaction(deferred: false);

            using var client = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayInstance.UserKey);
            var served = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                using var response = await client.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"echo","messages":[{"role":"user","content":"hi"}]}"""), Cancel);
                Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
                served.Add(response.Headers.GetValues("X-Request-Id").Single());
            }

            await gateway.StopAsync();

            Assert.True(gateway.ExitCode == 0, $"exit code {gateway.ExitCode}:\n{output}");
            var spooled = (await File.ReadAllLinesAsync(spool, Cancel)).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("requestId").GetString()).ToList();
            Assert.Equal(served.Order(StringComparer.Ordinal), spooled.Order(StringComparer.Ordinal));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// The runtime runs socket completions inline on one engine thread per core, and hands them to
    /// the thread pool from a single engine thread otherwise (docs/operations.md): the engine
    /// threads a served request leaves behind show which the process runs. Inline unless the
    /// operator says otherwise, or the store is PostgreSQL (whose row readers read synchronously).
    /// </summary>
    [Theory]
    [InlineData(TestStorage.Sqlite, null, 2)]
    [InlineData(TestStorage.Sqlite, "0", 1)]
    [InlineData(TestStorage.Postgres, null, 1)]
    public async Task Serve_runs_socket_completions_inline_unless_the_operator_or_the_store_says_otherwise(string kind, string? setting, int engineThreads)
    {
        var directory = Path.Combine(Path.GetTempPath(), "switchyard-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        await using var postgres = kind == TestStorage.Postgres ? await TestPostgres.CreateAsync() : null;
        try
        {
            var configPath = await WriteEchoConfigAsync(directory, postgres is null
                ? new JsonObject { ["kind"] = "sqlite", ["path"] = Path.Combine(directory, "switchyard.db") }
                : new JsonObject { ["kind"] = "postgres", ["connectionString"] = postgres.ConnectionString, ["spoolPath"] = Path.Combine(directory, "ledger.spool") });

            // Two cores whatever the machine has, so inline (one engine a core) differs from the hand-off (one engine).
            var environment = new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = "2" };
            if (setting is not null)
            {
                environment["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = setting;
            }

            var output = new StringWriter();
            await using var gateway = await ExternalGateway.StartAsync(ExternalGateway.ServeBuild, configPath, environment, LogLevel.Warning, output, onLine: null);
            using var client = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayInstance.UserKey);
            using var response = await client.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"echo","messages":[{"role":"user","content":"hi"}]}"""), Cancel);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);

            var threads = Directory.GetDirectories($"/proc/{gateway.ProcessId}/task")
                .Select(task => File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'))
                .ToList();
            Assert.Equal(engineThreads, threads.Count(name => name == ".NET Sockets"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A configuration in <paramref name="directory"/>: the echo model, the test's user key, and <paramref name="storage"/>.</summary>
    private static async Task<string> WriteEchoConfigAsync(string directory, JsonObject storage)
    {
        var configPath = Path.Combine(directory, "switchyard.json");
        await File.WriteAllTextAsync(configPath, new JsonObject
        {
            ["masterKey"] = GatewayInstance.MasterKey,
            ["storage"] = storage,
            ["providers"] = new JsonArray { new JsonObject { ["name"] = "echo", ["type"] = "echo" } },
            ["models"] = new JsonArray { new JsonObject { ["id"] = "echo", ["provider"] = "echo" } },
            ["keys"] = new JsonArray { new JsonObject { ["key"] = GatewayInstance.UserKey, ["name"] = "user" } },
        }.ToJsonString(), Cancel);
        return configPath;
    }
}
