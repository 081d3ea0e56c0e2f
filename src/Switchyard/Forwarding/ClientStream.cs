using Microsoft.AspNetCore.Http;
using Switchyard.Dialects.Framing;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;
using Switchyard.Pipeline;

namespace Switchyard.Forwarding;

/// <summary>
/// The one writer of every stream to a client, passthrough and translated alike: it commits the
/// response (status and headers) with the first bytes, writes SSE or — for Google's non-SSE
/// clients — one JSON array, and closes the array at the end. Until it commits, an attempt may
/// still fail over.
/// </summary>
internal sealed class ClientStream(GatewayRequest request) : IDisposable
{
    // Rented while events gather, given back at each flush: an open stream waiting for its upstream holds none.
    private readonly PooledBufferWriter _buffer = PooledBufferWriter.RentOnFirstWrite(SseRelay.BufferSize);
    private readonly JsonArrayWriter? _array = request.JsonArray ? new JsonArrayWriter() : null;

    public bool Committed { get; private set; }

    /// <summary>Every event added has been written to the client (none waits for a flush).</summary>
    public bool Flushed => _buffer.WrittenCount == 0;

    /// <summary>Wraps a passthrough stage so what it writes reaches the client in the client's framing.</summary>
    public ISseFrameHandler Frame(ISseFrameHandler handler) =>
        _array is null ? handler : new JsonArrayFraming(handler, _array);

    /// <summary>Writes bytes already in the client's framing.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        Commit();
        await request.Context.Response.BodyWriter.WriteAsync(bytes, cancellationToken);
    }

    /// <summary>
    /// Adds one event of the client's codec to what <see cref="FlushAsync"/> sends next, so that
    /// the events one upstream read yields go out in one write instead of a write (and a
    /// system call) each. Sent at once when a write's worth has gathered.
    /// </summary>
    public async ValueTask AddAsync(SseFrame frame, CancellationToken cancellationToken)
    {
        if (_array is null)
        {
            SseStreams.Write(_buffer, frame);
        }
        else
        {
            _array.WriteElement(_buffer, frame.Data.Span);
        }

        if (_buffer.WrittenCount >= SseRelay.BufferSize)
        {
            await FlushAsync(cancellationToken);
        }
    }

    /// <summary>Sends the events added since the last flush; the caller flushes before it waits for more.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_buffer.WrittenCount == 0)
        {
            return;
        }

        await WriteAsync(_buffer.WrittenMemory, cancellationToken);
        _buffer.Release();
    }

    /// <summary>Sends what is pending and ends the stream's framing (the JSON array's closing bracket; SSE needs nothing).</summary>
    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        // An array is closed once it has an element, sent or still pending.
        if (_array is not null && (Committed || _buffer.WrittenCount > 0))
        {
            _array.Close(_buffer);
        }

        await FlushAsync(cancellationToken);
    }

    private void Commit()
    {
        if (Committed)
        {
            return;
        }

        Committed = true;
        request.Telemetry?.StreamStarted();
        if (_array is null)
        {
            ResponseStart.EventStream(request.Context.Response, request.Adjustments);
        }
        else
        {
            ResponseStart.Json(request.Context.Response, request.Adjustments);
        }
    }

    public void Dispose() => _buffer.Dispose();
}
