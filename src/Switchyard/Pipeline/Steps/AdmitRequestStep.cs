using Switchyard.Metering;

namespace Switchyard.Pipeline.Steps;

/// <summary>
/// Takes the key's request slot and rate unit from the headers alone, before the body is read:
/// a body still arriving holds its key's slot, so slow uploads cannot pile up past <c>maxConcurrent</c> (429).
/// </summary>
internal sealed class AdmitRequestStep(RequestMeter meter) : IGatewayStep
{
    public Task InvokeAsync(GatewayRequest request, GatewayHandler next)
    {
        var admit = meter.AdmitRequestAsync(request);
        return admit.IsCompletedSuccessfully ? next(request) : GatewayChain.ThenAsync(admit, request, next);
    }
}
