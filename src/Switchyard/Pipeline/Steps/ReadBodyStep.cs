using Switchyard.Configuration;
using Switchyard.Diagnostics;
using Switchyard.Dialects.Json;

namespace Switchyard.Pipeline.Steps;

/// <summary>Reads the body into a pooled buffer (a 413 over the limit) and indexes its top level once, for every later step.</summary>
internal sealed class ReadBodyStep(SnapshotMonitor snapshots, GatewayTelemetry telemetry) : IGatewayStep
{
    public async Task InvokeAsync(GatewayRequest request, GatewayHandler next)
    {
        var body = await RequestBody.ReadAsync(request.Context.Request, snapshots.Current.MaxBodyBytes, request.Aborted);
        try
        {
            request.SetBody(body, JsonTopLevel.Scan(body.WrittenSpan));
        }
        catch
        {
            body.Dispose();
            throw;
        }

        telemetry.LogRequestBody(request.Context, request.Body.Span);
        foreach (var field in request.Dialect!.RequiredFields)
        {
            if (!request.TopLevel.TryGet(request.Body.Span, System.Text.Encoding.UTF8.GetBytes(field), out var value) || value.ValueKind == System.Text.Json.JsonTokenType.Null)
            {
                throw Dialects.GatewayException.InvalidRequest($"'{field}' is required.", field);
            }
        }

        await next(request);
    }
}
