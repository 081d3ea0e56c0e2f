using System.Collections.Concurrent;
using System.Text.Json;
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

    /// <summary>
    /// Keeps an event a gateway in another process wrote as a line of its JSON console log (state
    /// values as the text it wrote, an exception as its text); a line not starting with a brace
    /// is other output (the master key notice), not an event.
    /// </summary>
    public void AddJsonLine(string line)
    {
        if (!line.StartsWith('{'))
        {
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var state = root.TryGetProperty("State", out var values) && values.ValueKind == JsonValueKind.Object
                ? values.EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText())).ToArray()
                : [];
            var exception = root.TryGetProperty("Exception", out var text) && text.GetString() is { Length: > 0 } written ? new LoggedException(written) : null;
            _logs.Enqueue(new CapturedLog(
                root.GetProperty("Category").GetString()!,
                Enum.Parse<LogLevel>(root.GetProperty("LogLevel").GetString()!),
                new EventId(root.GetProperty("EventId").GetInt32()),
                root.GetProperty("Message").GetString() ?? "",
                state,
                exception));
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            // Not an event as the tests read them (the log's format changed?): kept as a critical
            // one, so that a test looking for errors sees it rather than nothing.
            _logs.Enqueue(new CapturedLog("ExternalGateway.UnreadLine", LogLevel.Critical, default, line, [], new LoggedException(error.Message)));
        }
    }

    public void Dispose()
    {
    }

    /// <summary>An exception as another process logged it: its text, not its type.</summary>
    private sealed class LoggedException(string text) : Exception(text)
    {
        public override string ToString() => Message;
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
