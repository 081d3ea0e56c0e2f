using Switchyard.Dialects;
using Switchyard.Forwarding;
using Switchyard.Routing;

namespace Switchyard.Pipeline.Operations;

/// <summary>Images and speech: JSON in, routed like chat to deployments whose API serves the same dialect.</summary>
internal sealed class MediaOperation(FailoverRouter router) : IGatewayOperation
{
    public async Task InvokeAsync(GatewayRequest request)
    {
        var dialect = (IMediaDialect)request.Dialect!;
        var images = request.Route!.Operation == RouteOperation.Images;
        var outcome = await router.RunAsync(request, async (entry, deployment) =>
        {
            request.Deployment = deployment;
            var attempt = images
                ? await MediaForwarder.ImagesAsync(request, dialect, entry, deployment)
                : await MediaForwarder.SpeechAsync(request, dialect, entry, deployment);
            request.Attempted(deployment, attempt.Committed, attempt.Usage);
            return attempt;
        });

        request.Outcome = outcome;
        if (!outcome.Committed)
        {
            await ErrorResponses.WriteAsync(request.Context, outcome.Error!, dialect);
        }
    }
}
