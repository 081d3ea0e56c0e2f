namespace Switchyard.Dialects.Tests.Infrastructure;

/// <summary>
/// A read-only stream that hands out its bytes in fixed segments, never more than one segment per
/// read, so a parser meets every boundary a network could produce.
/// </summary>
internal sealed class SegmentedStream : Stream
{
    private readonly IReadOnlyList<ReadOnlyMemory<byte>> _segments;
    private int _segment;
    private int _offset;

    public SegmentedStream(IReadOnlyList<ReadOnlyMemory<byte>> segments) => _segments = segments;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Two reads: the bytes before <paramref name="index"/>, then the rest.</summary>
    public static SegmentedStream SplitAt(byte[] bytes, int index) =>
        new([bytes.AsMemory(0, index), bytes.AsMemory(index)]);

    public static SegmentedStream OneBytePerRead(byte[] bytes) =>
        new(Enumerable.Range(0, bytes.Length).Select(i => (ReadOnlyMemory<byte>)bytes.AsMemory(i, 1)).ToArray());

    public override int Read(Span<byte> buffer)
    {
        while (_segment < _segments.Count && _offset == _segments[_segment].Length)
        {
            _segment++;
            _offset = 0;
        }

        if (_segment == _segments.Count || buffer.IsEmpty)
        {
            return 0;
        }

        var source = _segments[_segment].Span[_offset..];
        var count = Math.Min(source.Length, buffer.Length);
        source[..count].CopyTo(buffer);
        _offset += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
