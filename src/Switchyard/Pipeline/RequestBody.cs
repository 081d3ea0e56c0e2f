using System.Globalization;
using Microsoft.AspNetCore.Http;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;

namespace Switchyard.Pipeline;

/// <summary>
/// Reads a request body into a pooled buffer that grows with what arrives — never sized from a
/// declared <c>Content-Length</c>, which costs a caller nothing to inflate — refusing anything over
/// the configured limit with a 413 and anything past the process's <see cref="BodyBudget"/> with a 503.
/// </summary>
internal static class RequestBody
{
    private const int FirstBuffer = 16 * 1024;
    private const int ReadSize = 16 * 1024;

    private static readonly BodyBudget Unshared = new();

    /// <summary>Reads a small body (an admin request's) outside the process's shared budget.</summary>
    public static Task<PooledBufferWriter> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken) =>
        ReadAsync(request, maxBytes, Unshared, long.MaxValue, cancellationToken);

    public static async Task<PooledBufferWriter> ReadAsync(HttpRequest request, long maxBytes, BodyBudget budget, long maxBuffered, CancellationToken cancellationToken)
    {
        if (request.ContentLength is long declared && declared > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        var buffer = new PooledBufferWriter((int)Math.Min(Math.Min(request.ContentLength ?? FirstBuffer, FirstBuffer), maxBytes) + 1);
        long taken = 0;
        try
        {
            while (true)
            {
                // Up to what the client declared (and one byte more, to see it lied) while that is
                // smaller than a read: a small body then fits the first buffer, with no larger one
                // rented (and, past what the pool keeps, allocated) just to learn the body ended.
                var expected = request.ContentLength is long length ? length - buffer.WrittenCount + 1 : ReadSize;
                var read = await request.Body.ReadAsync(buffer.GetMemory((int)Math.Clamp(expected, 1, ReadSize)), cancellationToken);
                if (read == 0)
                {
                    return buffer;
                }

                buffer.Advance(read);
                if (!budget.TryTake(read, maxBuffered))
                {
                    throw Busy();
                }

                taken += read;
                if (buffer.WrittenCount > maxBytes)
                {
                    throw TooLarge(maxBytes);
                }
            }
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
        finally
        {
            budget.Return(taken);
        }
    }

    private static GatewayException TooLarge(long maxBytes) => new(new GatewayError(
        GatewayErrorKind.PayloadTooLarge,
        string.Create(CultureInfo.InvariantCulture, $"The request body is larger than the gateway's limit of {maxBytes} bytes."))
    {
        Code = "request_too_large",
    });

    private static GatewayException Busy() => new(new GatewayError(
        GatewayErrorKind.GatewayBusy,
        "The gateway is reading as many request bodies as it can hold right now; retry shortly.")
    {
        RetryAfter = TimeSpan.FromSeconds(1),
    });
}
