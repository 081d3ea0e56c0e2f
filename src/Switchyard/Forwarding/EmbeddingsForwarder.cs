using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Metering;
using Switchyard.Pipeline;

namespace Switchyard.Forwarding;

/// <summary>Embeddings across dialects through the neutral embedding types: the client's codec reads and writes, the upstream's is called.</summary>
internal static class EmbeddingsForwarder
{
    public static async Task<AttemptOutcome> ForwardAsync(GatewayRequest gateway, IEmbeddingCodec client, EmbeddingRequest request, ModelEntry entry, Deployment deployment)
    {
        if (deployment.UpstreamDialect is not IEmbeddingCodec upstream)
        {
            return AttemptOutcome.Failed(GatewayError.InvalidRequest($"The model '{request.Model}' has no embeddings upstream this surface can reach."));
        }

        var context = gateway.Context;
        using var body = new PooledBufferWriter();
        upstream.WriteRequest(request, deployment.UpstreamModel, body);
        using var message = UpstreamClient.CreateRequest(deployment, upstream, stream: false, body.WrittenMemory);
        gateway.Attempts++;
        var (call, error) = await UpstreamClient.SendAsync(deployment.Provider, message, body.WrittenMemory, context.RequestAborted);
        if (call is null)
        {
            return AttemptOutcome.Failed(error!);
        }

        using (call)
        {
            gateway.Upstream += call.HeadersElapsed;
            byte[] answer;
            try
            {
                if (!call.Response.IsSuccessStatusCode)
                {
                    return AttemptOutcome.Failed(await UpstreamClient.ReadErrorAsync(call, upstream, context.RequestAborted));
                }

                answer = await UpstreamClient.ReadBodyAsync(call);
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                return AttemptOutcome.Failed(UpstreamClient.Timeout());
            }
            catch (GatewayException exception)
            {
                // The answer broke off or was too large (UpstreamClient.ReadBodyAsync).
                return AttemptOutcome.Failed(exception.Error);
            }

            EmbeddingResponse response;
            try
            {
                response = upstream.ReadResponse(answer, request.Model);
            }
            catch (GatewayException exception)
            {
                return AttemptOutcome.Failed(exception.Error);
            }

            // An upstream that reports no usage for embeddings gets an estimate, so metering still has a figure.
            var usage = response.Usage.TotalInputTokens > 0
                ? response.Usage
                : new Usage { InputTokens = request.Inputs.Sum(TokenEstimator.Estimate) };
            response.Usage = CostCalculator.Priced(entry.Pricing, usage);
            response.Model = request.Model;
            using var output = new PooledBufferWriter();
            client.WriteResponse(response, request, gateway.Route!, output);
            ResponseStart.Json(context.Response, adjustments: null);
            context.Response.ContentLength = output.WrittenCount;
            await context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
            return AttemptOutcome.Served(response.Usage);
        }
    }
}
