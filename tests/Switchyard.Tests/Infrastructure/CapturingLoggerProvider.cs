using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Switchyard.Tests.Infrastructure;

/// <summary>A logger provider that keeps every event it is given, for asserting on the gateway's logs.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _logs = new();

    public IReadOnlyList<CapturedLog> Logs => _logs.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _logs);

    /// <summary>
    /// Waits until <paramref name="count"/> events match: the gateway logs a request's outcome just
    /// after its last byte is written, so a client may hold the answer a moment before the line exists.
    /// </summary>
    public async Task WaitForAsync(Func<CapturedLog, bool> match, int count, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (_logs.Count(match) < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<CapturedLog> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            logs.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), values.ToArray(), exception));
        }
    }
}
