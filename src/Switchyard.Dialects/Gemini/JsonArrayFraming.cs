using System.Buffers;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Gemini;

/// <summary>
/// Google's non-SSE stream framing: without <c>alt=sse</c>, <c>streamGenerateContent</c> answers
/// with one JSON array written progressively (<c>[</c>, elements separated by <c>,\r\n</c>, <c>]</c>).
/// Wraps an SSE-producing stage and re-frames what it writes.
/// </summary>
public sealed class JsonArrayFraming(ISseFrameHandler inner) : ISseFrameHandler, IDisposable
{
    private readonly PooledBufferWriter _scratch = new(4096);
    private readonly PooledBufferWriter _data = new(1024);
    private bool _opened;

    public void OnFrame(ReadOnlySpan<byte> frame, IBufferWriter<byte> output)
    {
        _scratch.Clear();
        inner.OnFrame(frame, _scratch);
        Reframe(output);
    }

    public void OnEnd(IBufferWriter<byte> output)
    {
        _scratch.Clear();
        inner.OnEnd(_scratch);
        Reframe(output);
        Close(output);
    }

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

    private void Reframe(IBufferWriter<byte> output)
    {
        var written = _scratch.WrittenSpan;
        while (!written.IsEmpty)
        {
            var end = SseFrameScanner.FindFrameEnd(written);
            var frame = end < 0 ? written : written[..end];
            _data.Clear();
            if (SseFrameScanner.ReadData(frame, _data) > 0)
            {
                WriteElement(output, _data.WrittenSpan);
            }

            written = end < 0 ? default : written[end..];
        }
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    public void Dispose()
    {
        _scratch.Dispose();
        _data.Dispose();
    }
}
