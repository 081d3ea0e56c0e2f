using System.Globalization;
using Microsoft.AspNetCore.Http;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;

namespace Switchyard.Pipeline;

/// <summary>Writes a <see cref="GatewayError"/> as a whole response: in a dialect's envelope, or as ProblemDetails for admin and ops routes.</summary>
internal static class ErrorResponses
{
    public static async Task WriteAsync(HttpContext context, GatewayError error, IClientDialect dialect)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        using var buffer = new PooledBufferWriter(512);
        dialect.WriteError(error, buffer);
        await WriteAsync(context, error, dialect.StatusOf(error), "application/json", buffer);
    }

    public static async Task WriteProblemAsync(HttpContext context, GatewayError error)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        using var buffer = new PooledBufferWriter(512);
        ProblemDetailsWriter.Write(error, buffer);
        await WriteAsync(context, error, error.Status, "application/problem+json", buffer);
    }

    private static async Task WriteAsync(HttpContext context, GatewayError error, int status, string contentType, PooledBufferWriter buffer)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        if (error.RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
