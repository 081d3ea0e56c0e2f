using System.Buffers;

namespace Switchyard.Dialects.Json;

/// <summary>An <see cref="IBufferWriter{T}"/> over arrays rented from the shared pool; dispose to return them.</summary>
public sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private readonly int _initialCapacity;
    private byte[] _buffer;
    private int _written;

    public PooledBufferWriter(int initialCapacity = 4096)
        : this(initialCapacity, rentNow: true)
    {
    }

    private PooledBufferWriter(int initialCapacity, bool rentNow)
    {
        _initialCapacity = Math.Max(initialCapacity, 256);
        _buffer = rentNow ? ArrayPool<byte>.Shared.Rent(_initialCapacity) : [];
    }

    /// <summary>A writer that rents its first array on its first write (see <see cref="Release"/>).</summary>
    public static PooledBufferWriter RentOnFirstWrite(int initialCapacity) => new(initialCapacity, rentNow: false);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public int WrittenCount => _written;

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _written += bytes.Length;
    }

    public void Clear() => _written = 0;

    /// <summary>
    /// Empties the writer and gives its array back to the pool; the next write rents one again. For
    /// a writer held across waits, such as an open stream's between two frames: ten thousand
    /// streams each holding a buffer while their upstreams are silent were most of their memory.
    /// </summary>
    public void Release()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => Release();

    private void Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
        {
            return;
        }

        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(_buffer.Length * 2, _initialCapacity)));
        _buffer.AsSpan(0, _written).CopyTo(grown);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = grown;
    }
}
