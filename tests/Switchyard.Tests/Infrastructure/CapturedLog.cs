using Microsoft.Extensions.Logging;

namespace Switchyard.Tests.Infrastructure;

/// <summary>One log event as a provider received it: the formatted message and every structured value.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> State, Exception? Exception)
{
    public object? this[string name] => State.FirstOrDefault(p => p.Key == name).Value;

    /// <summary>Everything the event carries as text, to search for what must never be logged.</summary>
    public string AllText => string.Join("\n", new[] { Message, Exception?.ToString() ?? "" }.Concat(State.Select(p => $"{p.Key}={p.Value}")));
}
