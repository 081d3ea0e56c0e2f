using System.Globalization;
using Microsoft.AspNetCore.Http;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.OpenAI;

namespace Switchyard.Pipeline;

/// <summary>Writes a <see cref="GatewayError"/> as a whole response in the caller's envelope.</summary>
public static class ErrorResponses
{
    public static async Task WriteAsync(HttpContext context, GatewayError error, ErrorEnvelope envelope, ChatDialect? dialect = null)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return;
        }

        using var buffer = new PooledBufferWriter(512);
        var status = error.Status;
        switch (envelope)
        {
            case ErrorEnvelope.Problem:
                ProblemDetailsWriter.Write(error, buffer);
                response.ContentType = "application/problem+json";
                break;
            default:
                if (dialect is not null)
                {
                    dialect.WriteError(error, buffer);
                    status = dialect.StatusOf(error);
                }
                else
                {
                    OpenAIErrors.Write(error, buffer);
                }

                response.ContentType = "application/json";
                break;
        }

        response.StatusCode = status;
        if (error.RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
