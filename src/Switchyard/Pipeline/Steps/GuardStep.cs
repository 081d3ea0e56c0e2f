using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchyard.Diagnostics;
using Switchyard.Dialects;
using Switchyard.Metering;

namespace Switchyard.Pipeline.Steps;

/// <summary>
/// The outermost step of every gateway route: the one place that catches. Expected failures
/// (<see cref="GatewayException"/>) are answered in the route's dialect; anything else is a 500 with
/// no details. After the answer or the error is written — so the request log has the final status —
/// an admitted request is settled, its telemetry completed and its buffers returned.
/// </summary>
internal sealed class GuardStep(RequestMeter meter, GatewayTelemetry telemetry, ILogger<GuardStep> logger) : IGatewayStep
{
    public async Task InvokeAsync(GatewayRequest request, GatewayHandler next)
    {
        var context = request.Context;
        var requestTelemetry = request.Operation is { } operation ? telemetry.Start(context, operation, request) : null;
        try
        {
            await next(request);
            request.Delivered = request.Outcome is { Committed: true, Error: null };
        }
        catch (GatewayException exception)
        {
            await ErrorResponses.WriteAsync(context, exception.Error, request.Dialect!);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one left to answer.
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            // Kestrel cut a body that arrived slower than limits.minBodyBytesPerSecond.
            await ErrorResponses.WriteAsync(context, GatewayError.BodyTooSlow(), request.Dialect!);
        }
        catch (BadHttpRequestException exception)
        {
            // A body cut short (a client that left mid-upload) or malformed framing.
            await ErrorResponses.WriteAsync(context, GatewayError.InvalidRequest($"The request body could not be read: {exception.Message}"), request.Dialect!);
        }
        catch (Exception exception) when (Storage.StoreFailure.IsUnavailable(exception))
        {
            // The store is down (a stored conversation, say): a 503 to retry, not a bug.
            await ErrorResponses.WriteAsync(context, Storage.StoreFailure.Error(), request.Dialect!);
        }
        catch (Exception exception)
        {
            logger.UnhandledError(exception, context.Request.Path);
            await ErrorResponses.WriteAsync(context, GatewayError.Internal(), request.Dialect!);
        }
        finally
        {
            if (request.Admitted)
            {
                await meter.SettleAsync(request);
            }

            if (requestTelemetry is not null)
            {
                telemetry.Complete(context, requestTelemetry, request.FinalStatus);
            }

            request.Dispose();
        }
    }
}
