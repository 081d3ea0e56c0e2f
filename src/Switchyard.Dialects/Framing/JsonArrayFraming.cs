using System.Buffers;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Framing;

/// <summary>Wraps an SSE-producing passthrough stage and re-frames what it writes as elements of a <see cref="JsonArrayWriter"/>.</summary>
public sealed class JsonArrayFraming(ISseFrameHandler inner, JsonArrayWriter array) : ISseFrameHandler, IDisposable
{
    private readonly PooledBufferWriter _scratch = PooledBufferWriter.RentOnFirstWrite(4096);
    private readonly PooledBufferWriter _data = PooledBufferWriter.RentOnFirstWrite(1024);

    public void OnFrame(ReadOnlySpan<byte> frame, IBufferWriter<byte> output)
    {
        _scratch.Clear();
        inner.OnFrame(frame, _scratch);
        Reframe(output);
    }

    /// <summary>Flushes the inner stage; the array stays open so an error element can still follow.</summary>
    public void OnEnd(IBufferWriter<byte> output)
    {
        _scratch.Clear();
        inner.OnEnd(_scratch);
        Reframe(output);
    }

    /// <summary>The inner stage's error frame becomes the array's last element, then the array is closed.</summary>
    public void OnFailure(GatewayError error, IBufferWriter<byte> output)
    {
        _scratch.Clear();
        inner.OnFailure(error, _scratch);
        Reframe(output);
    }

    private void Reframe(IBufferWriter<byte> output)
    {
        var written = _scratch.WrittenSpan;
        while (!written.IsEmpty)
        {
            var end = SseFrameScanner.FindFrameEnd(written);
            var frame = end < 0 ? written : written[..end];
            if (SseFrameScanner.Data(frame, _data, out var data) > 0)
            {
                array.WriteElement(output, data);
            }

            written = end < 0 ? default : written[end..];
        }
    }

    public void Dispose()
    {
        _scratch.Dispose();
        _data.Dispose();
    }
}
