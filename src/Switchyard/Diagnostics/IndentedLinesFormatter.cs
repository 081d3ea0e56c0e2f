using System.Buffers;
using ZLogger;

namespace Switchyard.Diagnostics;

/// <summary>
/// Writes an event as its inner formatter does, with every line after the first indented, as the
/// stock console logger does: a newline inside a message (a request path a client wrote, an
/// exception's stack) cannot start a line that reads as an event of its own.
/// </summary>
internal sealed class IndentedLinesFormatter(IZLoggerFormatter inner) : IZLoggerFormatter
{
    private static ReadOnlySpan<byte> Indent => "\n      "u8;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _event;

    public bool WithLineBreak => inner.WithLineBreak;

    public void FormatLogEntry(IBufferWriter<byte> writer, IZLoggerEntry entry)
    {
        var formatted = _event ??= new ArrayBufferWriter<byte>(256);
        formatted.ResetWrittenCount();
        inner.FormatLogEntry(formatted, entry);
        var text = formatted.WrittenSpan;
        while (text.IndexOfAny((byte)'\n', (byte)'\r') is var at and >= 0)
        {
            writer.Write(text[..at]);
            var skip = text[at] == '\r' && at + 1 < text.Length && text[at + 1] == '\n' ? 2 : 1;
            text = text[(at + skip)..];
            writer.Write(text.IsEmpty ? Indent[..1] : Indent);
        }

        writer.Write(text);
    }
}
