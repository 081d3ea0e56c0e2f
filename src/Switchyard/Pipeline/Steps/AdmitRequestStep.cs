using Switchyard.Metering;

namespace Switchyard.Pipeline.Steps;

/// <summary>
/// Takes the key's request slot and rate unit from the headers alone, before the body is read:
/// a body still arriving holds its key's slot, so slow uploads cannot pile up past <c>maxConcurrent</c> (429).
/// </summary>
internal sealed class AdmitRequestStep(RequestMeter meter) : IGatewayStep
{
    public async Task InvokeAsync(GatewayRequest request, GatewayHandler next)
    {
        await meter.AdmitRequestAsync(request);
        await next(request);
    }
}
