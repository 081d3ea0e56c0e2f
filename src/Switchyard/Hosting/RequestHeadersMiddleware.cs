using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Switchyard.Pipeline;

namespace Switchyard.Hosting;

/// <summary>
/// Every response carries <c>X-Request-Id</c> (the client's, if it sent a sane one) and a
/// <c>Server-Timing</c> header with the gateway's own time and the upstream's. The request's one
/// <see cref="GatewayRequest"/> is made here, so every later step and the timing header share it.
/// </summary>
internal static class RequestHeadersMiddleware
{
    public const string RequestIdHeader = "X-Request-Id";

    public static IApplicationBuilder UseRequestHeaders(this IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        var timings = new GatewayRequest(context);
        context.Features.Set(timings);
        var id = context.Request.Headers[RequestIdHeader].ToString();
        if (id.Length is 0 or > 128 || !IsPrintableAscii(id))
        {
            id = RequestIds.Next();
        }

        context.TraceIdentifier = id;
        context.Response.Headers[RequestIdHeader] = id;
        context.Response.OnStarting(static state =>
        {
            var (response, timings) = ((HttpResponse, GatewayRequest))state;
            response.Headers["Server-Timing"] = timings.ToServerTiming();
            return Task.CompletedTask;
        }, (context.Response, timings));
        return next(context);
    });

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < (char)0x21 or > (char)0x7E)
            {
                return false;
            }
        }

        return true;
    }
}
