using Microsoft.Extensions.Logging;
using ZLogger;

namespace Switchyard.Diagnostics;

/// <summary>
/// How the console's lines are written: by ZLogger's one writer thread, in batches, off the
/// request's thread (the stock console logger's write per line cost plain passthrough 8-15 % of
/// its throughput). The writer's queue is bounded: a console that cannot keep up (a stuck pipe,
/// a paused terminal) loses the lines past <see cref="Capacity"/> rather than holding every one
/// in memory or making requests wait for it. The request ledger, not the log, is the record.
/// </summary>
internal static class ConsoleLines
{
    /// <summary>Lines waiting for the console before new ones are dropped.</summary>
    public const int Capacity = 10_000;

    /// <summary>
    /// The most a formatter keeps of its scratch buffers between events: one event with a huge
    /// field (an upstream's error text, a client's path) is formatted whole, but its buffer is
    /// let go rather than held for the process's life.
    /// </summary>
    public const int MaxRetainedScratchBytes = 64 * 1024;

    public static ZLoggerOptions Configure(ZLoggerOptions options, bool json)
    {
        options.FullMode = BackgroundBufferFullMode.Drop;
        options.BackgroundBufferCapacity = Capacity;
        return json
            ? options.UseFormatter(() => new JsonLinesFormatter())
            : options.UseFormatter(() =>
            {
                var text = new ZLogger.Formatters.PlainTextZLoggerFormatter();
                text.SetPrefixFormatter($"{0}: {1}[{2}] ", (in MessageTemplate template, in LogInfo info) =>
                    template.Format(LevelName(info.LogLevel), info.Category, info.EventId.Id));
                return new IndentedLinesFormatter(text);
            });
    }

    /// <summary>The stock console logger's four-letter level names, so log readers keep their patterns.</summary>
    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
