using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchyard.Diagnostics;
using Switchyard.Storage;

namespace Switchyard.Metering;

/// <summary>
/// Writes ledger and request-log rows off the hot path, and never lets a request wait for the
/// store. Requests drop their row into a bounded channel and go; this service drains it in
/// batches, one transaction each: after the first row of a batch it waits up to
/// <see cref="BatchWindow"/> for more (cut short by a <see cref="FlushAsync"/>, shutdown or
/// <see cref="FullBatch"/> rows), then takes what has queued, up to <see cref="MaxBatch"/>.
///
/// A batch the store does not take within <see cref="StoreTimeout"/> (PostgreSQL down or
/// restarting, SQLite locked, a disk full) goes to the <see cref="LedgerSpool"/>, a local file
/// flushed to disk, and so do the batches after it until the spool is replayed into the store:
/// tried again after a quarter second, backing off to 5 seconds, and at the next start before the
/// gateway serves. Writing twice is safe: the store skips a request id it already has. So a
/// process killed with <c>kill -9</c> loses at most the rows of its last batch window (those in
/// the channel and the batch in flight). On a graceful shutdown the channel is drained to the
/// store or the spool. Only when the spool cannot be written either do rows wait in memory, and
/// when that backlog is full, requests wait rather than lose a charge.
/// </summary>
internal sealed class UsageWriter(IUsageLedger ledger, LedgerSpool spool, ILogger<UsageWriter> logger) : BackgroundService
{
    public const int MaxBatch = 500;

    /// <summary>How long the first row of a batch waits for others; a flush, shutdown or <see cref="FullBatch"/> rows end the wait.</summary>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Rows that end a batch's wait. Under load rows otherwise waited the whole window, long enough
    /// to outlive two collections: thousands a second promoted to gen2, and a background gen2
    /// collection every second or two on a heap of a few MB (bench/README.md, "Seventh pass").
    /// </summary>
    public const int FullBatch = 256;

    /// <summary>How long a batch waits for the store before it goes to the spool.</summary>
    public static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(5);

    // Replaying a long spool gives way to the channel after this many batches.
    private const int ReplayBatchesPerTurn = 10;

    private const int Capacity = 50_000;

    private readonly Channel<Item> _queue = Channel.CreateBounded<Item>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly SemaphoreSlim _wake = new(0);
    private int _queuedSinceTaken;
    private volatile bool _stopping;
    private volatile bool _stopped;

    // Rows neither the store nor the spool took; owned by the writer loop.
    private readonly List<UsageRecord> _unwritten = [];
    private long _unwrittenCount;

    // A store write that outlived its timeout; no other starts until it ends (the store is slow).
    private Task? _storeCall;
    private bool _failing;
    private TimeSpan _retryDelay = FirstRetry;
    private long _retryAt;

    /// <summary>Rows queued and not yet written (the <c>switchyard.request_log.backlog</c> gauge).</summary>
    public long Backlog => _queue.Reader.Count + Interlocked.Read(ref _unwrittenCount);

    /// <summary>Rows in the spool, waiting for the store.</summary>
    public long Spooled => spool.PendingRows;

    /// <summary>Queues a row; waits only when the queue is full.</summary>
    public async ValueTask EnqueueAsync(UsageRecord record)
    {
        if (!_stopped && _queue.Writer.TryWrite(new Item(record, null)))
        {
            if (Interlocked.Increment(ref _queuedSinceTaken) == FullBatch)
            {
                _wake.Release();
            }
        }
        else
        {
            if (_stopped)
            {
                await WriteAfterStopAsync(record);
                return;
            }

            try
            {
                await _queue.Writer.WriteAsync(new Item(record, null));
            }
            catch (ChannelClosedException)
            {
                await WriteAfterStopAsync(record);
            }
        }
    }

    /// <summary>
    /// Completes when every row queued before the call is written, and the spool replayed if the
    /// store takes it: this process reads its own writes whenever the store can answer at all.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_stopped || !_queue.Writer.TryWrite(new Item(null, done)))
        {
            return;
        }

        _wake.Release();

        await done.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
    }

    /// <summary>Replays what earlier runs left in their spools before the gateway serves, so counters loaded from the store include it.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var orphan in spool.OpenOrphans())
        {
            if (await ReplayAsync(orphan, int.MaxValue))
            {
                orphan.Delete();
            }
            else
            {
                // Left for the next start; this process's own spool carries on meanwhile.
                orphan.Dispose();
            }
        }

        await ReplayAsync(spool, int.MaxValue);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<UsageRecord>(MaxBatch);
        var flushes = new List<TaskCompletionSource>();

        // Not cancelled by stoppingToken: StopAsync completes the channel, and the loop drains it.
        while (true)
        {
            var ready = _queue.Reader.WaitToReadAsync(CancellationToken.None).AsTask();

            // Rows wait for the store: catch up when the next try is due, unless new rows come first.
            // With memory full too (neither store nor spool takes rows), nothing more is taken in.
            while (Behind && (!ready.IsCompleted || _unwritten.Count >= Capacity))
            {
                var due = Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, _retryAt - Environment.TickCount64)), CancellationToken.None);
                if (_unwritten.Count >= Capacity)
                {
                    await due;
                }
                else if (await Task.WhenAny(ready, due) == ready)
                {
                    break;
                }

                await CatchUpAsync(ReplayBatchesPerTurn);
            }

            if (!await ready)
            {
                break;
            }

            // A row has arrived: give others a moment to join it (a flush or shutdown releases the wake).
            if (!_stopping && _queue.Reader.Count < MaxBatch)
            {
                await _wake.WaitAsync(BatchWindow, CancellationToken.None);
            }

            Interlocked.Exchange(ref _queuedSinceTaken, 0);
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                if (item.Record is { } record)
                {
                    batch.Add(record);
                }
                else
                {
                    flushes.Add(item.Flush!);
                }
            }

            await WriteAsync(batch);
            if (Behind && (flushes.Count > 0 || Environment.TickCount64 >= _retryAt))
            {
                await CatchUpAsync(flushes.Count > 0 ? int.MaxValue : ReplayBatchesPerTurn);
            }

            foreach (var flush in flushes)
            {
                flush.TrySetResult();
            }

            batch.Clear();
            flushes.Clear();
        }

        // Shutting down: one last try for the store, else the spool keeps the rows for the next start.
        _retryAt = 0;
        await CatchUpAsync(int.MaxValue);
        if (_unwritten.Count > 0)
        {
            logger.LedgerRowsLost(new IOException("Neither the store nor the spool took the rows."), _unwritten.Count);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _queue.Writer.TryComplete();
        _wake.Release();
        await base.StopAsync(cancellationToken);
        _stopped = true;
    }

    /// <summary>Rows are waiting for the store, in the spool or in memory.</summary>
    private bool Behind => spool.HasPending || _unwritten.Count > 0;

    private async Task WriteAsync(List<UsageRecord> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        // Behind the spool, new rows join it: the store has not shown it is back yet.
        if (!Behind && await TryStoreAsync(batch))
        {
            return;
        }

        await SpoolAsync(batch);
    }

    private async Task SpoolAsync(List<UsageRecord> rows)
    {
        try
        {
            await spool.AppendAsync(rows, CancellationToken.None);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            logger.SpoolWriteFailed(exception, rows.Count, spool.Path);
            _unwritten.AddRange(rows);
            Interlocked.Exchange(ref _unwrittenCount, _unwritten.Count);
        }
    }

    /// <summary>Rows in memory first, then the spool, a few batches at a time, while the store takes them.</summary>
    private async Task CatchUpAsync(int maxBatches)
    {
        while (_unwritten.Count > 0)
        {
            var rows = _unwritten.GetRange(0, Math.Min(MaxBatch, _unwritten.Count));
            if (!await TryStoreAsync(rows))
            {
                try
                {
                    await spool.AppendAsync(rows, CancellationToken.None);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    return;
                }
            }

            _unwritten.RemoveRange(0, rows.Count);
            Interlocked.Exchange(ref _unwrittenCount, _unwritten.Count);
        }

        await ReplayAsync(spool, maxBatches);
    }

    /// <summary>Replays up to <paramref name="maxBatches"/> batches of a spool; true once it is empty.</summary>
    private async Task<bool> ReplayAsync(LedgerSpool from, int maxBatches)
    {
        long replayed = 0;
        for (var i = 0; i < maxBatches && from.HasPending && StoreReady(); i++)
        {
            var (rows, mark) = await from.ReadAsync(MaxBatch, CancellationToken.None);
            if (rows.Count > 0 && !await TryStoreAsync(rows))
            {
                break;
            }

            await from.ReplayedAsync(rows.Count, mark, CancellationToken.None);
            replayed += rows.Count;
        }

        if (replayed > 0 && !from.HasPending)
        {
            logger.LedgerReplayed(replayed, from.Path);
        }

        return !from.HasPending;
    }

    /// <summary>No write is still hanging in the store, and the next try is due if it was failing.</summary>
    private bool StoreReady()
    {
        if (_storeCall is { IsCompleted: false })
        {
            // The last write still hangs: look again a little later rather than at once.
            _failing = true;
            _retryAt = Math.Max(_retryAt, Environment.TickCount64 + (long)FirstRetry.TotalMilliseconds);
            return false;
        }

        return !_failing || Environment.TickCount64 >= _retryAt;
    }

    /// <summary>One store write within <see cref="StoreTimeout"/>; while the store is failing, only when the next try is due.</summary>
    private async Task<bool> TryStoreAsync(List<UsageRecord> rows)
    {
        if (!StoreReady())
        {
            return false;
        }

        var call = ledger.AppendAsync(rows, CancellationToken.None);
        _storeCall = call;
        try
        {
            await call.WaitAsync(StoreTimeout);
            _failing = false;
            _retryDelay = FirstRetry;
            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A write that timed out may still land; the spool's copy is then skipped by its request id.
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            if (!_failing)
            {
                logger.LedgerSpooling(exception is TimeoutException ? null : exception, rows.Count, spool.Path);
            }

            _failing = true;
            _retryAt = Environment.TickCount64 + (long)_retryDelay.TotalMilliseconds;
            _retryDelay = TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, LastRetry.Ticks));
            return false;
        }
    }

    /// <summary>A row that arrives after the writer stopped (a request finishing during shutdown).</summary>
    private async Task WriteAfterStopAsync(UsageRecord record)
    {
        try
        {
            await ledger.AppendAsync([record], CancellationToken.None).WaitAsync(StoreTimeout);
            return;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The spool takes it below.
        }

        try
        {
            await spool.AppendAsync([record], CancellationToken.None);
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
            logger.LedgerRowsLost(exception, 1);
        }
    }

    private readonly record struct Item(UsageRecord? Record, TaskCompletionSource? Flush);
}
