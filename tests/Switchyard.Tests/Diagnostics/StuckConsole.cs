using System.Text;

namespace Switchyard.Tests.Diagnostics;

/// <summary>A console whose first write waits until released, as a full pipe nobody reads does.</summary>
internal sealed class StuckConsole : Stream
{
    private readonly ManualResetEventSlim _released = new();
    private readonly MemoryStream _written = new();

    public SemaphoreSlim Stuck { get; } = new(0);

    public string Text => Encoding.UTF8.GetString(_written.ToArray());

    public void Release() => _released.Set();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!_released.IsSet)
        {
            Stuck.Release();
            _released.Wait();
        }

        lock (_written)
        {
            _written.Write(buffer);
        }
    }

    public override void Flush()
    {
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _released.Dispose();
            Stuck.Dispose();
            _written.Dispose();
        }

        base.Dispose(disposing);
    }
}
