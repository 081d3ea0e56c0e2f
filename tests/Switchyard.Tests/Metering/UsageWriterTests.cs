using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Dialects.Canonical;
using Switchyard.Metering;
using Switchyard.Storage;
using Switchyard.Storage.Sqlite;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Metering;

/// <summary>The ledger is written off the hot path, loses nothing on a graceful shutdown, and never charges twice.</summary>
public sealed class UsageWriterTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_graceful_shutdown_writes_every_queued_row()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok", promptTokens: 3, completionTokens: 2));
        var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var path = Path.Combine(gateway.Directory, "switchyard.db");
        using (var client = gateway.HttpClient())
        {
            await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
            {
                using var response = await client.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}"""), Cancel);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }));
        }

        await gateway.StopAsync();
        var ledger = new SqliteUsageLedger(new SqliteDatabase(path));
        var rows = await ledger.RecentAsync(new UsageFilter { Limit = 1000 }, Cancel);
        await gateway.DisposeAsync();

        Assert.Equal(50, rows.Count);
        Assert.Equal(50, rows.Select(r => r.RequestId).Distinct().Count());
        Assert.All(rows, r => Assert.Equal(2, r.Usage.OutputTokens));
    }

    [Fact]
    public async Task A_full_batch_is_written_without_waiting_out_the_window()
    {
        // Rows that waited out the window under load lived long enough to reach gen2; a full batch goes at once.
        var directory = Path.Combine(Path.GetTempPath(), "switchyard-tests", Guid.NewGuid().ToString("N"));
        var ledger = new SqliteUsageLedger(new SqliteDatabase(Path.Combine(directory, "switchyard.db")));
        using var spool = LedgerSpool.Open(Path.Combine(directory, "ledger.spool"), NullLogger.Instance);
        var writer = new UsageWriter(ledger, spool, NullLogger<UsageWriter>.Instance) { BatchWindow = TimeSpan.FromHours(1) };
        await writer.StartAsync(Cancel);
        UsageRecord Row(int i) => new()
        {
            RequestId = $"req_full_{i}",
            KeyId = "key_full",
            Model = "gpt-test",
            Surface = "chat",
            Status = 200,
            Usage = new Usage { InputTokens = 1, OutputTokens = 1 },
            CreatedAt = DateTimeOffset.UtcNow,
        };
        async Task<int> WrittenAsync() => (await ledger.RecentAsync(new UsageFilter { KeyId = "key_full", Limit = 1000 }, Cancel)).Count;

        for (var i = 0; i < UsageWriter.FullBatch - 1; i++)
        {
            await writer.EnqueueAsync(Row(i));
        }

        await Task.Delay(300, Cancel);
        Assert.Equal(0, await WrittenAsync());

        await writer.EnqueueAsync(Row(UsageWriter.FullBatch - 1));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await WrittenAsync() < UsageWriter.FullBatch && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Cancel);
        }

        Assert.Equal(UsageWriter.FullBatch, await WrittenAsync());
        await writer.StopAsync(Cancel);
    }

    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task A_batch_written_twice_charges_once(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, storage.Apply);
        var ledger = gateway.Services.GetRequiredService<IUsageLedger>();
        UsageRecord Row(string id, decimal cost) => new()
        {
            RequestId = id,
            KeyId = "key_twice",
            Model = "gpt-test",
            Surface = "chat",
            Status = 200,
            Usage = new Usage { InputTokens = 4, OutputTokens = 6 },
            Cost = cost,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        var batch = new[] { Row("req_a", 0.25m), Row("req_b", 0.5m) };

        await ledger.AppendAsync(batch, Cancel);
        await ledger.AppendAsync([.. batch, Row("req_c", 0.125m)], Cancel);
        var spent = await ledger.SpentAsync("key_twice", Cancel);
        var rows = await ledger.RecentAsync(new UsageFilter { KeyId = "key_twice" }, Cancel);
        var summary = Assert.Single(await ledger.SummarizeAsync(new UsageFilter { KeyId = "key_twice" }, Cancel));

        Assert.Equal(0.875m, spent);
        Assert.Equal(3, rows.Count);
        Assert.Equal(3, summary.Requests);
        Assert.Equal(0.875m, summary.Cost);
        Assert.Equal(18, summary.OutputTokens);
    }
}
