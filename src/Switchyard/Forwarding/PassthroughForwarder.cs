using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.OpenAI.Responses;
using Switchyard.Dialects.Sse;
using Switchyard.Metering;
using Switchyard.Pipeline;

namespace Switchyard.Forwarding;

/// <summary>
/// The fast path for a client whose dialect is the upstream's own: no neutral model and no
/// re-serialisation. The request's bytes go up with a few top-level edits; the answer's bytes come
/// back with a few top-level edits (model id, cost, metadata) while a tap reads the usage.
/// </summary>
public static class PassthroughForwarder
{
    /// <summary>One attempt on one deployment.</summary>
    public static async Task<AttemptOutcome> ForwardAsync(HttpContext context, PassthroughRequest request, ModelEntry entry, Deployment deployment)
    {
        // 1. Body: the client's bytes, or a copy with the model (and the plan's edits) rewritten.
        using var rewritten = new PooledBufferWriter(request.Body.Length + 64);
        var body = request.Plan.TryRewrite(request.Body.Span, request.TopLevel, request.ModelId, deployment.UpstreamModel, rewritten)
            ? rewritten.WrittenMemory
            : request.Body;

        // 2. Send and wait for the upstream's headers.
        using var message = UpstreamClient.CreateRequest(deployment, request.Dialect.Dialect, request.Stream, body, HeaderPolicy.FromClient(context.Request, deployment.Provider.Type));
        request.Timings.Attempts++;
        var (call, error) = await UpstreamClient.SendAsync(deployment.Provider, message, context.RequestAborted);
        if (call is null)
        {
            return AttemptOutcome.Failed(error!);
        }

        using (call)
        {
            request.Timings.Upstream += call.HeadersElapsed;
            try
            {
                // 3. Upstream errors are rewritten into the caller's envelope: same family, but scrubbed.
                if (!call.Response.IsSuccessStatusCode)
                {
                    var errorBody = await UpstreamClient.ReadBodyAsync(call);
                    return AttemptOutcome.Failed(request.Dialect.ReadError((int)call.Response.StatusCode, errorBody) with { RetryAfter = RetryAfter.From(call.Response) });
                }

                // 4. Answer: relayed with the contract's edits.
                return request.Stream
                    ? await RelayStreamAsync(context, request, entry, call)
                    : await RelayJsonAsync(context, request, entry, call);
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                return AttemptOutcome.Failed(UpstreamClient.Timeout());
            }
            catch (HttpRequestException)
            {
                return AttemptOutcome.Failed(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream connection failed.") { Code = "upstream_error", AllowsFailover = true });
            }
        }
    }

    private static async Task<AttemptOutcome> RelayJsonAsync(HttpContext context, PassthroughRequest request, ModelEntry entry, UpstreamCall call)
    {
        var answer = await UpstreamClient.ReadBodyAsync(call);
        JsonTopLevel topLevel;
        try
        {
            topLevel = JsonTopLevel.Scan(answer);
        }
        catch (GatewayException)
        {
            return AttemptOutcome.Failed(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed response.") { Code = "upstream_error" });
        }

        var edits = new JsonTopLevelEditor();
        Usage? usage = null;
        var dialect = request.Dialect;
        if (topLevel.TryGet(answer, dialect.UsageProperty, out var usageProperty) && usageProperty.ValueKind == JsonTokenType.StartObject)
        {
            var usageJson = answer.AsSpan(usageProperty.Value);
            usage = dialect.ReadUsage(usageJson);
            if (dialect.Dialect == Dialect.OpenAIResponses)
            {
                // Hosted web searches are output items, billed per call, not part of usage.
                usage = usage with { WebSearchCalls = ResponsesUsageTap.CountWebSearchCalls(answer, topLevel) };
            }

            usage = CostCalculator.Priced(entry.Pricing, usage);
            if (usage.Cost is decimal cost)
            {
                edits.Set(dialect.UsageProperty, JsonTopLevelEditor.WithNumber(usageJson, "cost"u8, cost));
            }
        }

        if (topLevel.TryGet(answer, dialect.ModelProperty, out _) && topLevel.GetString(answer, dialect.ModelProperty) != request.ModelId)
        {
            edits.SetString(dialect.ModelProperty, request.ModelId);
        }

        if (request.Plan.Metadata is { } metadata && !topLevel.TryGet(answer, "metadata"u8, out _))
        {
            edits.Set("metadata"u8, metadata);
        }

        if (request.Relayed is { } relayed)
        {
            // Known before the first byte is written: a client that leaves mid-body still pays for the answer.
            relayed.Reported = usage;
            relayed.Completed = usage is not null;
        }

        var response = context.Response;
        ResponseStart.Json(response, request.Adjustments);
        using var output = new PooledBufferWriter(answer.Length + 128);
        ReadOnlyMemory<byte> written = answer;
        if (edits.HasEdits)
        {
            edits.WriteTo(answer, topLevel, output);
            written = output.WrittenMemory;
        }

        if (request.Turn is { } turn)
        {
            turn.FinalResponse = written.ToArray();
        }

        response.ContentLength = written.Length;
        await response.Body.WriteAsync(written, context.RequestAborted);

        return AttemptOutcome.Served(usage);
    }

    private static async Task<AttemptOutcome> RelayStreamAsync(HttpContext context, PassthroughRequest request, ModelEntry entry, UpstreamCall call)
    {
        var tap = request.Dialect.CreateTap(
            request.ModelId,
            request.Plan.ClientAskedForUsageChunk,
            entry.Pricing is { } pricing ? usage => CostCalculator.Cost(pricing, usage) : null);
        using var disposeTap = tap as IDisposable;
        var array = request.JsonArray ? new JsonArrayWriter() : null;
        using var counted = request.Relayed is { } relayed ? new RelayedTextCounter(tap, tap, relayed) : null;
        var handler = (ISseFrameHandler?)counted ?? tap;
        using var framing = array is null ? null : new JsonArrayFraming(handler, array);
        var response = context.Response;
        var committed = false;
        GatewayError? failure = null;
        try
        {
            await using var body = await call.OpenBodyAsync();
            await SseRelay.RunAsync(body, (ISseFrameHandler?)framing ?? handler, async (bytes, cancellationToken) =>
            {
                if (!committed)
                {
                    committed = true;
                    request.Timings.Telemetry?.StreamStarted();
                    if (array is null)
                    {
                        ResponseStart.EventStream(response, request.Adjustments);
                    }
                    else
                    {
                        ResponseStart.Json(response, request.Adjustments);
                    }
                }

                await response.BodyWriter.WriteAsync(bytes, cancellationToken);
            }, context.RequestAborted);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            failure = UpstreamClient.Timeout();
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException)
        {
            failure = new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream connection broke mid-stream.") { Code = "upstream_error", AllowsFailover = true };
        }

        request.Timings.Telemetry?.StreamEnded();
        failure ??= tap.Error;
        if (request.Turn is { } turn && tap is ResponsesUsageTap responses)
        {
            turn.FinalResponse = responses.FinalResponse;
        }

        if (failure is null && !tap.Completed)
        {
            failure = new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream closed the stream before it finished.") { Code = "upstream_error", AllowsFailover = true };
        }

        if (!committed)
        {
            return AttemptOutcome.Failed(failure ?? new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent an empty stream.") { Code = "upstream_error", AllowsFailover = true });
        }

        // After commit an error ends the stream with the surface's own error frame, and nothing after it.
        using var tail = new PooledBufferWriter(512);
        if (array is not null)
        {
            if (failure is not null)
            {
                using var json = new PooledBufferWriter(512);
                request.Dialect.WriteErrorJson(failure, json);
                array.WriteElement(tail, json.WrittenSpan);
            }

            array.Close(tail);
        }
        else if (failure is not null && tap is ResponsesUsageTap responsesTap)
        {
            // A Responses stream's own failure event continues its sequence numbers and names its response.
            responsesTap.WriteFailure(failure, tail);
        }
        else if (failure is not null)
        {
            request.Dialect.WriteErrorFrame(failure, tail);
        }

        if (tail.WrittenCount > 0)
        {
            await response.BodyWriter.WriteAsync(tail.WrittenMemory, context.RequestAborted);
        }

        return new AttemptOutcome(true, failure, tap.Usage);
    }
}
