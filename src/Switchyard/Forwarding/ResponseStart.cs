using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Switchyard.Dialects;

namespace Switchyard.Forwarding;

/// <summary>Commits a response: status, content type and the contract's headers.</summary>
internal static class ResponseStart
{
    public const string ParamAdjustmentsHeader = "X-Param-Adjustments";

    public static void Json(HttpResponse response, ParamAdjustments? adjustments, int status = 200)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        Adjusted(response, adjustments);
    }

    public static void EventStream(HttpResponse response, ParamAdjustments? adjustments)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";

        // Each frame must reach the client as it is written (docs/behaviour.md).
        response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        Adjusted(response, adjustments);
    }

    private static void Adjusted(HttpResponse response, ParamAdjustments? adjustments)
    {
        if (adjustments is { IsEmpty: false })
        {
            response.Headers[ParamAdjustmentsHeader] = adjustments.ToString();
        }
    }
}
