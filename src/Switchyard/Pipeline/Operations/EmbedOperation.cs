using Microsoft.AspNetCore.Routing;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Forwarding;
using Switchyard.Routing;

namespace Switchyard.Pipeline.Operations;

/// <summary>Embeddings: passed through to an upstream of the client's dialect, otherwise through the neutral embedding types.</summary>
internal sealed class EmbedOperation(FailoverRouter router, Media.UpstreamMediaGuard mediaGuard) : IGatewayOperation
{
    public async Task InvokeAsync(GatewayRequest request)
    {
        var client = (IEmbeddingCodec)request.Dialect!;
        var passthrough = request.Dialect as IPassthrough;
        PassthroughPlan? plan = null;
        EmbeddingRequest? neutral = null;
        var outcome = await router.RunAsync(request, async (entry, deployment) =>
        {
            request.Deployment = deployment;
            await mediaGuard.CheckAsync(request.MediaUrls, request.MediaUrlCount, deployment.Provider, request.Aborted);
            AttemptOutcome attempt;
            if (passthrough is not null && ReferenceEquals(deployment.UpstreamDialect, request.Dialect))
            {
                plan ??= PassthroughPlan.Prepare(request.Body.Span, request.TopLevel, stream: false, request.Adjustments, passthrough);
                attempt = await PassthroughForwarder.ForwardAsync(request, passthrough, plan, entry, deployment);
            }
            else
            {
                neutral ??= client.ReadRequest(request.Body.Span, request.Context.GetRouteValue("model") as string, request.Route!);
                neutral.Model = request.ModelId!;
                attempt = await EmbeddingsForwarder.ForwardAsync(request, client, neutral, entry, deployment);
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
