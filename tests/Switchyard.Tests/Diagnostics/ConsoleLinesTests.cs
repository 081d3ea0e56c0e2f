using Microsoft.Extensions.Logging;
using Switchyard.Diagnostics;
using ZLogger;
using ZLogger.Providers;

namespace Switchyard.Tests.Diagnostics;

/// <summary>
/// The console's writer queue is bounded: with the console stuck, a request's line never waits
/// for it and memory does not grow with every line; the lines past the bound are lost.
/// </summary>
public sealed class ConsoleLinesTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stuck_console_drops_the_lines_past_the_bound_and_never_holds_up_the_caller(bool json)
    {
        using var console = new StuckConsole();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var provider = new ZLoggerStreamLoggerProvider(console, ConsoleLines.Configure(new ZLoggerOptions { InternalErrorLogger = errors.Enqueue }, json));
        try
        {
            var logger = provider.CreateLogger("Tests.Console");
            logger.LogInformation("first");
            await console.Stuck.WaitAsync(Cancel);

            // The writer holds "first" and waits on the console; everything else queues or is dropped.
            var logging = Task.Run(() =>
            {
                for (var i = 0; i < ConsoleLines.Capacity * 3; i++)
                {
                    logger.LogInformation("line {Number}", i);
                }
            }, Cancel);
            await logging.WaitAsync(TimeSpan.FromSeconds(30), Cancel);
        }
        finally
        {
            console.Release();
            await provider.DisposeAsync();
        }

        Assert.Empty(errors);
        var lines = console.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ConsoleLines.Capacity + 1, lines.Length);
        Assert.Contains("first", lines[0], StringComparison.Ordinal);
        Assert.Contains("line 0", lines[1], StringComparison.Ordinal);
        Assert.Contains($"line {ConsoleLines.Capacity - 1}", lines[^1], StringComparison.Ordinal);
    }
}
