using System.Buffers;
using Microsoft.AspNetCore.Http;
using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.OpenAI;
using Switchyard.Dialects.OpenAI.Embeddings;
using Switchyard.Metering;
using Switchyard.Pipeline;

namespace Switchyard.Forwarding;

/// <summary>Embeddings across dialects: OpenAI ↔ Gemini (embedContent / batchEmbedContents) through the neutral embedding types.</summary>
public static class EmbeddingsForwarder
{
    public delegate void ResponseWriter(EmbeddingResponse response, IBufferWriter<byte> output);

    public static async Task<AttemptOutcome> ForwardAsync(
        HttpContext context,
        EmbeddingRequest request,
        ModelEntry entry,
        Deployment deployment,
        RequestTimings timings,
        ResponseWriter writeResponse)
    {
        using var body = new PooledBufferWriter();
        switch (deployment.UpstreamDialect)
        {
            case Dialect.OpenAIEmbeddings:
                EmbeddingsCodec.WriteRequest(request, deployment.UpstreamModel, body);
                break;
            case Dialect.GeminiEmbed:
                EmbedContentCodec.WriteRequest(request, deployment.UpstreamModel, body);
                break;
            default:
                return AttemptOutcome.Failed(GatewayError.InvalidRequest($"The model '{request.Model}' has no embeddings upstream this surface can reach."));
        }

        var dialect = deployment.UpstreamDialect.Value;
        using var message = UpstreamClient.CreateRequest(deployment, dialect, stream: false, body.WrittenMemory);
        timings.Attempts++;
        var (call, error) = await UpstreamClient.SendAsync(deployment.Provider, message, context.RequestAborted);
        if (call is null)
        {
            return AttemptOutcome.Failed(error!);
        }

        using (call)
        {
            timings.Upstream += call.HeadersElapsed;
            byte[] answer;
            try
            {
                answer = await UpstreamClient.ReadBodyAsync(call);
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                return AttemptOutcome.Failed(UpstreamClient.Timeout());
            }

            if (!call.Response.IsSuccessStatusCode)
            {
                var status = (int)call.Response.StatusCode;
                var failure = dialect == Dialect.GeminiEmbed ? GeminiErrors.Read(status, answer) : OpenAIErrors.Read(status, answer);
                return AttemptOutcome.Failed(failure with { RetryAfter = RetryAfter.From(call.Response) });
            }

            EmbeddingResponse response;
            try
            {
                response = dialect == Dialect.GeminiEmbed
                    ? EmbedContentCodec.ReadResponse(answer, request.Model)
                    : EmbeddingsCodec.ReadResponse(answer);
            }
            catch (GatewayException exception)
            {
                return AttemptOutcome.Failed(exception.Error);
            }

            // Gemini reports no usage for embeddings: estimate it, so metering still has a figure.
            var usage = response.Usage.TotalInputTokens > 0
                ? response.Usage
                : new Usage { InputTokens = request.Inputs.Sum(TokenEstimator.Estimate) };
            response.Usage = CostCalculator.Priced(entry.Pricing, usage);
            response.Model = request.Model;
            using var output = new PooledBufferWriter();
            writeResponse(response, output);
            ResponseStart.Json(context.Response, adjustments: null);
            context.Response.ContentLength = output.WrittenCount;
            await context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
            return AttemptOutcome.Served(response.Usage);
        }
    }
}
