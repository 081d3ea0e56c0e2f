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

    // One writer thread formats every event of a logger provider; a formatter is made per provider.
    private ArrayBufferWriter<byte>? _event;

    public bool WithLineBreak => inner.WithLineBreak;

    /// <summary>What the formatter holds between events.</summary>
    internal int RetainedBytes => _event?.Capacity ?? 0;

    public void FormatLogEntry(IBufferWriter<byte> writer, IZLoggerEntry entry)
    {
        var formatted = _event ??= new ArrayBufferWriter<byte>(256);
        formatted.ResetWrittenCount();
        inner.FormatLogEntry(formatted, entry);
        var text = formatted.WrittenSpan;
        while (text.IndexOfAny((byte)'\n', (byte)'\r') is var at and >= 0)
        {
            Append(writer, text[..at]);
            var skip = text[at] == '\r' && at + 1 < text.Length && text[at + 1] == '\n' ? 2 : 1;
            text = text[(at + skip)..];
            Append(writer, text.IsEmpty ? Indent[..1] : Indent);
        }

        Append(writer, text);
        if (formatted.Capacity > ConsoleLines.MaxRetainedScratchBytes)
        {
            _event = null;
        }
    }

    /// <summary>
    /// Copied into a span asked for at its own length. <c>BuffersExtensions.Write</c> asks for more
    /// with no size when a part does not fit, and ZLogger's stream writer answers that, with its
    /// 64 KB batch full, with an empty span: the write threw, and since the batch is flushed only
    /// after a write that did not throw, every line after it was lost.
    /// </summary>
    private static void Append(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
    }
}
