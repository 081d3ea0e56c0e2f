using System.Buffers;

namespace Switchyard.Dialects.Framing;

/// <summary>
/// Google's non-SSE stream framing: without <c>alt=sse</c>, <c>streamGenerateContent</c> answers
/// with one JSON array written progressively: <c>[</c>, elements separated by <c>,\r\n</c>, <c>]</c>.
/// </summary>
public sealed class JsonArrayWriter
{
    private bool _opened;

    /// <summary>Writes one element (the data of one event).</summary>
    public void WriteElement(IBufferWriter<byte> output, ReadOnlySpan<byte> json)
    {
        Write(output, _opened ? ",\r\n"u8 : "["u8);
        _opened = true;
        Write(output, json);
    }

    /// <summary>Closes the array (opening it first if nothing was written).</summary>
    public void Close(IBufferWriter<byte> output)
    {
        Write(output, _opened ? "]"u8 : "[]"u8);
        _opened = true;
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
