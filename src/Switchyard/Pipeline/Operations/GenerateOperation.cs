using Switchyard.Dialects;
using Switchyard.Forwarding;
using Switchyard.Routing;

namespace Switchyard.Pipeline.Operations;

/// <summary>
/// A chat answer: attempts across the model's deployments and fallbacks, each passed through when
/// the upstream speaks the client's dialect and translated otherwise.
/// </summary>
internal sealed class GenerateOperation(FailoverRouter router, TranslatingForwarder translating, Media.UpstreamMediaGuard mediaGuard) : IGatewayOperation
{
    public async Task InvokeAsync(GatewayRequest request)
    {
        var client = (IClientCodec)request.Dialect!;
        var passthrough = request.Dialect as IPassthrough;
        PassthroughPlan? plan = null;
        var outcome = await router.RunAsync(request, async (entry, deployment) =>
        {
            request.Deployment = deployment;
            await mediaGuard.CheckAsync(request.MediaUrls, request.MediaUrlCount, deployment.Provider, request.Aborted);
            AttemptOutcome attempt;
            if (passthrough is not null && ReferenceEquals(deployment.UpstreamDialect, request.Dialect))
            {
                plan ??= PassthroughPlan.Prepare(request.Body.Span, request.TopLevel, request.Stream, request.Adjustments, passthrough);
                attempt = await PassthroughForwarder.ForwardAsync(request, passthrough, plan, entry, deployment);
            }
            else
            {
                attempt = await translating.ForwardAsync(request, client, entry, deployment);
            }

            request.Attempted(deployment, attempt.Committed, attempt.Usage);
            return attempt;
        });

        request.Outcome = outcome;
        if (!outcome.Committed)
        {
            await ErrorResponses.WriteAsync(request.Context, outcome.Error!, request.Dialect!);
        }
    }
}
