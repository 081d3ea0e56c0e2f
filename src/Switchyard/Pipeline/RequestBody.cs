using System.Globalization;
using Microsoft.AspNetCore.Http;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;

namespace Switchyard.Pipeline;

/// <summary>Reads a request body into a pooled buffer, refusing anything over the configured limit with a 413.</summary>
internal static class RequestBody
{
    public static async Task<PooledBufferWriter> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength is long declared && declared > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        var buffer = new PooledBufferWriter((int)Math.Min(request.ContentLength ?? 16 * 1024, maxBytes) + 1);
        try
        {
            while (true)
            {
                var read = await request.Body.ReadAsync(buffer.GetMemory(8192), cancellationToken);
                if (read == 0)
                {
                    return buffer;
                }

                buffer.Advance(read);
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
    }

    private static GatewayException TooLarge(long maxBytes) => new(new GatewayError(
        GatewayErrorKind.PayloadTooLarge,
        string.Create(CultureInfo.InvariantCulture, $"The request body is larger than the gateway's limit of {maxBytes} bytes."))
    {
        Code = "request_too_large",
    });
}
