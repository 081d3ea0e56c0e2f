using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ZLogger;

namespace Switchyard.Diagnostics;

/// <summary>
/// An event as one JSON object on one line, in the shape of the stock JSON console formatter's
/// (<c>Timestamp</c> in UTC, <c>EventId</c>, <c>LogLevel</c>, <c>Category</c>, <c>Message</c>,
/// <c>Exception</c>, and <c>State</c> with the message, each field and <c>{OriginalFormat}</c>),
/// so log shippers read it as before. Written on ZLogger's writer thread into its batch: the
/// stock console logger wrote each line on its own, and its JSON line per request cost plain
/// passthrough 15 % of its throughput (bench/README.md, twenty-second pass). Values are written
/// by type, not by a serializer: numbers and booleans as JSON, anything else as invariant text.
/// </summary>
internal sealed class JsonLinesFormatter : IZLoggerFormatter
{
    private const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";

    // One writer thread formats every event of a logger provider; a formatter is made per provider.
    private ArrayBufferWriter<byte> _message = new(256);
    private ArrayBufferWriter<byte> _line = new(1024);
    private Utf8JsonWriter? _json;

    public bool WithLineBreak => true;

    /// <summary>What the formatter holds between events.</summary>
    internal int RetainedBytes => _message.Capacity + _line.Capacity;

    /// <summary>Whether the JSON writer is kept for the next event (it is let go with a huge line, which it points at).</summary>
    internal bool KeepsJsonWriter => _json is not null;

    public void FormatLogEntry(IBufferWriter<byte> writer, IZLoggerEntry entry)
    {
        // Formatted aside and copied whole: a field whose ToString throws loses its own event,
        // not the line it would have left half-written in the batch before the next one.
        _line.ResetWrittenCount();
        var json = _json ??= new Utf8JsonWriter(_line);
        json.Reset(_line);
        _message.ResetWrittenCount();
        entry.ToString(_message);
        var info = entry.LogInfo;

        json.WriteStartObject();
        Span<byte> timestamp = stackalloc byte[32];
        info.Timestamp.Utc.UtcDateTime.TryFormat(timestamp, out var length, TimestampFormat, CultureInfo.InvariantCulture);
        json.WriteString("Timestamp"u8, timestamp[..length]);
        json.WriteNumber("EventId"u8, info.EventId.Id);
        json.WriteString("LogLevel"u8, LevelName(info.LogLevel));
        json.WriteString("Category"u8, info.Category.JsonEncoded);
        json.WriteString("Message"u8, _message.WrittenSpan);
        if (info.Exception is { } exception)
        {
            // Its stack's line ends escaped, as the stock formatter writes it: still one line.
            json.WriteString("Exception"u8, exception.ToString());
        }

        json.WriteStartObject("State"u8);
        json.WriteString("Message"u8, _message.WrittenSpan);
        for (var i = 0; i < entry.ParameterCount; i++)
        {
            if (entry.IsSupportUtf8ParameterKey)
            {
                json.WritePropertyName(entry.GetParameterKey(i));
            }
            else
            {
                json.WritePropertyName(entry.GetParameterKeyAsString(i));
            }

            WriteValue(json, entry, i);
        }

        json.WriteString("{OriginalFormat}"u8, entry.GetOriginalFormat());
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        _line.WrittenSpan.CopyTo(writer.GetSpan(_line.WrittenCount));
        writer.Advance(_line.WrittenCount);
        if (_line.Capacity > ConsoleLines.MaxRetainedScratchBytes)
        {
            // The writer still points at the huge buffer until its next reset: both go.
            _line = new(1024);
            _json = null;
        }

        if (_message.Capacity > ConsoleLines.MaxRetainedScratchBytes)
        {
            _message = new(256);
        }
    }

    /// <summary>The common types read as themselves (no box for the generated events' fields); the rest boxed, as the stock formatter writes them.</summary>
    private static void WriteValue(Utf8JsonWriter json, IZLoggerEntry entry, int index)
    {
        var type = entry.GetParameterType(index);
        if (type == typeof(string))
        {
            WriteStringOrNull(json, entry.GetParameterValue<string>(index));
        }
        else if (type == typeof(int))
        {
            json.WriteNumberValue(entry.GetParameterValue<int>(index));
        }
        else if (type == typeof(long))
        {
            json.WriteNumberValue(entry.GetParameterValue<long>(index));
        }
        else if (type == typeof(double) && entry.GetParameterValue<double>(index) is var number && double.IsFinite(number))
        {
            json.WriteNumberValue(number);
        }
        else if (type == typeof(bool))
        {
            json.WriteBooleanValue(entry.GetParameterValue<bool>(index));
        }
        else
        {
            WriteBoxed(json, entry.GetParameterValue(index));
        }
    }

    private static void WriteBoxed(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case bool boolean:
                json.WriteBooleanValue(boolean);
                break;
            case int or long or short or byte or sbyte or ushort or uint:
                json.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong unsigned:
                json.WriteNumberValue(unsigned);
                break;
            case double number when double.IsFinite(number):
                json.WriteNumberValue(number);
                break;
            case float number when float.IsFinite(number):
                json.WriteNumberValue(number);
                break;
            case decimal number:
                json.WriteNumberValue(number);
                break;
            default:
                WriteStringOrNull(json, Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string? value)
    {
        if (value is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteStringValue(value);
        }
    }

    private static ReadOnlySpan<byte> LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "Trace"u8,
        LogLevel.Debug => "Debug"u8,
        LogLevel.Information => "Information"u8,
        LogLevel.Warning => "Warning"u8,
        LogLevel.Error => "Error"u8,
        LogLevel.Critical => "Critical"u8,
        _ => "None"u8,
    };
}
