using Switchyard.Dialects;
using Switchyard.Dialects.Json;
using Switchyard.Forwarding;
using Switchyard.Metering;
using Switchyard.Routing;

namespace Switchyard.Pipeline.Operations;

/// <summary>
/// A token count: an upstream of the client's own dialect counts exactly on its own endpoint; for
/// any other the count is the gateway's estimate, marked so in <c>X-Token-Count-Estimated</c>.
/// </summary>
internal sealed class CountTokensOperation : IGatewayOperation
{
    public async Task InvokeAsync(GatewayRequest request)
    {
        var counting = (ITokenCounting)request.Dialect!;
        var deployment = DeploymentSelector.Candidates(request.Catalog!, request.Model!, Random.Shared)[0].Deployment;
        request.Deployment = deployment;
        if (ReferenceEquals(deployment.UpstreamDialect, request.Dialect) && deployment.Provider.Addressing.CountsTokens)
        {
            await CountUpstreamAsync(request, counting, deployment);
            return;
        }

        var neutral = counting.ReadCountRequest(request.Body);
        using var answer = new PooledBufferWriter(64);
        counting.WriteCount(TokenEstimator.Estimate(neutral), answer);
        request.Context.Response.Headers["X-Token-Count-Estimated"] = "true";
        ResponseStart.Json(request.Context.Response, adjustments: null);
        request.Context.Response.ContentLength = answer.WrittenCount;
        await request.Context.Response.Body.WriteAsync(answer.WrittenMemory, request.Aborted);
    }

    /// <summary>Forwards the body (its model renamed where the body names it) and relays the upstream's answer as is.</summary>
    private static async Task CountUpstreamAsync(GatewayRequest request, ITokenCounting counting, Catalog.Deployment deployment)
    {
        var context = request.Context;
        using var rewritten = new PooledBufferWriter(request.Body.Length + 64);
        var body = request.Body;
        if (request.Dialect is IPassthrough { ModelInBody: true } && request.ModelId != deployment.UpstreamModel)
        {
            new JsonTopLevelEditor().SetString("model"u8, deployment.UpstreamModel).WriteTo(body.Span, request.TopLevel, rewritten);
            body = rewritten.WrittenMemory;
        }

        using var message = UpstreamClient.CreateRequest(deployment, counting.CountPath(deployment.UpstreamModel), body, HeaderPolicy.FromClient(context.Request, deployment.Provider));
        var (call, error) = await UpstreamClient.SendAsync(deployment.Provider, message, body, context.RequestAborted);
        if (call is null)
        {
            throw new GatewayException(error!);
        }

        using (call)
        {
            if (!call.Response.IsSuccessStatusCode)
            {
                throw new GatewayException(await UpstreamClient.ReadErrorAsync(call, (IUpstreamEndpoint)request.Dialect!, context.RequestAborted));
            }

            var answer = await UpstreamClient.ReadBodyAsync(call);
            ResponseStart.Json(context.Response, adjustments: null);
            context.Response.ContentLength = answer.Length;
            await context.Response.Body.WriteAsync(answer, context.RequestAborted);
        }
    }
}
