using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchyard.Diagnostics;
using Switchyard.Storage;

namespace Switchyard.Metering;

/// <summary>
/// Writes ledger and request-log rows off the hot path: requests drop their row into a bounded
/// channel and go; this service drains it in batches, one transaction each: after the first row
/// of a batch it waits up to <see cref="BatchWindow"/> for more (cut short by a
/// <see cref="FlushAsync"/> or shutdown), then takes what has queued, up to <see cref="MaxBatch"/>.
/// Without the window a busy gateway committed a transaction of one or two rows per request. A failed batch is
/// retried as is, which is safe because a row already written is skipped by its request id. On a
/// graceful shutdown the queue is drained before the process exits; rows that arrive after that
/// are written directly. A full queue makes requests wait rather than lose a charge.
/// </summary>
internal sealed class UsageWriter(IUsageLedger ledger, ILogger<UsageWriter> logger) : BackgroundService
{
    public const int MaxBatch = 500;

    /// <summary>How long the first row of a batch waits for others; a flush or shutdown ends the wait.</summary>
    public static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(100);

    private const int Capacity = 50_000;

    private readonly Channel<Item> _queue = Channel.CreateBounded<Item>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly SemaphoreSlim _wake = new(0);
    private volatile bool _stopping;
    private volatile bool _stopped;

    /// <summary>Rows queued and not yet written (the <c>switchyard.request_log.backlog</c> gauge).</summary>
    public long Backlog => _queue.Reader.Count;

    /// <summary>Queues a row; waits only when the queue is full.</summary>
    public async ValueTask EnqueueAsync(UsageRecord record)
    {
        if (_stopped || !_queue.Writer.TryWrite(new Item(record, null)))
        {
            if (_stopped)
            {
                await ledger.AppendAsync([record], CancellationToken.None);
                return;
            }

            try
            {
                await _queue.Writer.WriteAsync(new Item(record, null));
            }
            catch (ChannelClosedException)
            {
                await ledger.AppendAsync([record], CancellationToken.None);
            }
        }
    }

    /// <summary>Completes when every row queued before the call is written: this process reads its own writes.</summary>
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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<UsageRecord>(MaxBatch);
        var flushes = new List<TaskCompletionSource>();

        // Not cancelled by stoppingToken: StopAsync completes the channel, and the loop drains it.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            // A row has arrived: give others a moment to join it (a flush or shutdown releases the wake).
            if (!_stopping && _queue.Reader.Count < MaxBatch)
            {
                await _wake.WaitAsync(BatchWindow, CancellationToken.None);
            }

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

            await WriteAsync(batch, stoppingToken);
            foreach (var flush in flushes)
            {
                flush.TrySetResult();
            }

            batch.Clear();
            flushes.Clear();
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

    private async Task WriteAsync(List<UsageRecord> batch, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (batch.Count > 0)
        {
            try
            {
                await ledger.AppendAsync(batch, CancellationToken.None);
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                if (stoppingToken.IsCancellationRequested && _queue.Reader.Completion.IsCompleted)
                {
                    logger.LedgerRowsLost(exception, batch.Count);
                    return;
                }

                logger.LedgerWriteFailed(exception, batch.Count, (int)delay.TotalMilliseconds);
                await Task.Delay(delay, CancellationToken.None);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private readonly record struct Item(UsageRecord? Record, TaskCompletionSource? Flush);
}
