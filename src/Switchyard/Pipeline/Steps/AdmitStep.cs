using Switchyard.Dialects;
using Switchyard.Metering;

namespace Switchyard.Pipeline.Steps;

/// <summary>
/// Reserves the request's worst case against its key's <c>tpm</c> and credits before anything goes
/// upstream (429/402), and holds its input to the model's context window (422).
/// </summary>
internal sealed class AdmitStep(RequestMeter meter) : IGatewayStep
{
    public Task InvokeAsync(GatewayRequest request, GatewayHandler next)
    {
        var model = request.Model!;
        var body = request.Body.Span;
        var reservation = request.Route!.Operation switch
        {
            RouteOperation.Generate => Reservation.ForGeneration(body, request.TopLevel, request.InputBound, model),
            RouteOperation.Embed => Reservation.ForEmbeddings(request.InputBound, model),
            RouteOperation.Images => Reservation.ForMedia(body, request.TopLevel, model.Pricing, images: true),
            RouteOperation.Speech => Reservation.ForMedia(body, request.TopLevel, model.Pricing, images: false),
            _ => new Reservation(0, 0),
        };
        if (request.Route.Operation == RouteOperation.Generate && reservation.ContextWindowExceeded(model, body) is { } tooLong)
        {
            throw new GatewayException(tooLong with { Param = "messages" });
        }

        var admit = meter.AdmitAsync(request, reservation);
        return admit.IsCompletedSuccessfully ? next(request) : GatewayChain.ThenAsync(admit, request, next);
    }
}
