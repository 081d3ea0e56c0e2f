namespace Switchyard.Forwarding;

/// <summary>A read-only view of an upstream body that restarts the call's idle timer before each read.</summary>
internal sealed class IdleTimeoutStream(Stream inner, UpstreamCall call) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        call.Touch();

        // The relays read under the token the call is linked to already: no link (and no state
        // machine) per read, which an open stream pays on every frame.
        return !cancellationToken.CanBeCanceled || cancellationToken == call.Caller || cancellationToken == call.Token
            ? inner.ReadAsync(buffer, call.Token)
            : ReadLinkedAsync(buffer, cancellationToken);
    }

    private async ValueTask<int> ReadLinkedAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.Token);
        return await inner.ReadAsync(buffer, linked.Token);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Upstream bodies are read asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
