using Switchyard.Dialects;
using Switchyard.Dialects.Framing;

namespace Switchyard.Media;

/// <summary>
/// A client's request body that refuses to yield more than its limit, however it is framed: a
/// declared length is checked before, a chunked body as it arrives. Past the limit every read
/// throws the 413 (<c>request_too_large</c>).
/// </summary>
internal sealed class UploadLimitStream(Stream inner, long maxBytes) : ReadOnlyViewStream(inner, ownsInner: false)
{
    private long _read;

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public static GatewayException TooLarge(long maxBytes) => new(new GatewayError(GatewayErrorKind.PayloadTooLarge,
        $"The request body is larger than the gateway's limit of {maxBytes} bytes.") { Code = "request_too_large" });

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // One byte past the limit is enough to know it was passed.
        var want = (int)Math.Min(buffer.Length, maxBytes + 1 - _read);
        if (want <= 0)
        {
            throw TooLarge(maxBytes);
        }

        var read = await Inner.ReadAsync(buffer[..want], cancellationToken);
        _read += read;
        return _read > maxBytes ? throw TooLarge(maxBytes) : read;
    }
}
