using Switchyard.Dialects;
using Switchyard.Metering;

namespace Switchyard.Pipeline.Steps;

/// <summary>
/// Reserves the request's worst case against its key's <c>tpm</c> and credits before anything goes
/// upstream (429/402), and holds its input to the model's context window (422).
/// </summary>
internal sealed class AdmitStep(RequestMeter meter) : IGatewayStep
{
    public async Task InvokeAsync(GatewayRequest request, GatewayHandler next)
    {
        var model = request.Model!;
        var body = request.Body.Span;
        var reservation = request.Route!.Operation switch
        {
            RouteOperation.Generate => Reservation.ForGeneration(body, request.TopLevel, model),
            RouteOperation.Embed => Reservation.ForEmbeddings(body),
            RouteOperation.Images => Reservation.ForMedia(body, request.TopLevel, model.Pricing, images: true),
            RouteOperation.Speech => Reservation.ForMedia(body, request.TopLevel, model.Pricing, images: false),
            _ => new Reservation(0, 0),
        };
        if (model.ContextWindow is int window && reservation.InputTokens > window)
        {
            throw new GatewayException(new GatewayError(GatewayErrorKind.Unprocessable,
                $"This request's input is about {reservation.InputTokens} tokens, more than the model's context window of {window} tokens.")
            {
                Code = "context_length_exceeded",
                Param = "messages",
            });
        }

        await meter.AdmitAsync(request, reservation);
        await next(request);
    }
}
