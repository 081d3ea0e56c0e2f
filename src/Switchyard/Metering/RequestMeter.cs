using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchyard.Diagnostics;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Hosting;
using Switchyard.Limits;
using Switchyard.Pipeline;

namespace Switchyard.Metering;

/// <summary>
/// Governs a model request at its two ends. Admission (before any upstream call): reserve the
/// worst case against the key's limits and credits, or refuse with 429/402. Settlement (after the
/// answer, however it ended): charge <c>max(minimumCharge, tokens × price)</c> once, for the usage
/// the upstream reported or, for a stream cut short, for what was relayed; release the rest; and
/// queue the request's one ledger row.
/// </summary>
internal sealed class RequestMeter(KeyLimiter limiter, UsageWriter writer, TimeProvider time, ILogger<RequestMeter> logger)
{
    public async Task AdmitAsync(GatewayRequest request, Reservation reservation)
    {
        var context = request.Context;
        var caller = request.Caller!;
        KeyLease? lease;
        try
        {
            lease = await limiter.AdmitAsync(caller, reservation.Tokens, reservation.Cost(request.Model!.Pricing), context.Response.Headers, context.RequestAborted);
        }
        catch (GatewayException refused)
        {
            // The request log shows refusals too; they cost nothing.
            await writer.EnqueueAsync(Record(request, null, refused.Error.Status, Usage.Empty, 0m));
            throw;
        }

        request.Reservation = reservation;
        request.Lease = lease;
        request.Admitted = true;
        context.Response.OnStarting(static state =>
        {
            var request = (GatewayRequest)state;
            request.MarkFirstByte();

            // A whole answer leaves with its first write: its slot is as good as free.
            if (!request.Stream)
            {
                request.Lease?.MarkFinishing();
            }

            return Task.CompletedTask;
        }, request);
    }

    /// <summary>Settles an admitted request once its response is complete or abandoned.</summary>
    public async Task SettleAsync(GatewayRequest request)
    {
        if (!request.Admitted)
        {
            return;
        }

        request.Admitted = false;
        var context = request.Context;
        var charged = request.Charged;

        // Images and audio are priced per image, second or character, not per token (MediaCost).
        var media = RoutePlanner.KindOf(request.Route!.Operation) is ModelKind.Image or ModelKind.Audio;
        var usage = charged && !media ? request.Relayed.ToCharge(request.Reservation.InputTokens) : Usage.Empty;
        if (charged && request.Reservation.WebSearchCalls > usage.WebSearchCalls && ReferenceEquals(request.Deployment?.UpstreamDialect, request.Dialect))
        {
            // A passthrough answer that reports no search count (Chat Completions with
            // web_search_options): the request's own search is one call.
            usage = usage with { WebSearchCalls = request.Reservation.WebSearchCalls };
        }

        var cost = !charged || request.Model!.Pricing is not { } pricing ? 0m
            : media ? request.Relayed.Reported?.Cost ?? pricing.MinimumCharge
            : CostCalculator.Cost(pricing, usage);
        var status = context.RequestAborted.IsCancellationRequested ? StatusCodes.Status499ClientClosedRequest : context.Response.StatusCode;
        var record = Record(request, request.Deployment?.Name, status, usage with { Cost = null }, cost);
        try
        {
            if (request.Lease is { } lease)
            {
                // The whole cost is charged; part of it may still sit in this process's lease until the ledger moves it.
                var settlement = await lease.ReleaseAsync(usage.TotalTokens, cost, CancellationToken.None);
                record = record with { HeldCharge = settlement.Held, HeldBy = settlement.Holder };
            }
        }
        catch (Exception exception)
        {
            // The row is still written: the ledger, not the counters, is the record of what was charged.
            logger.SettlementFailed(exception, record.RequestId, record.KeyId);
        }

        await writer.EnqueueAsync(record);
    }

    private UsageRecord Record(GatewayRequest request, string? deployment, int status, Usage usage, decimal cost)
    {
        var context = request.Context;
        var clientId = context.Request.Headers[RequestHeadersMiddleware.RequestIdHeader].ToString();
        var clientSent = clientId.Length > 0 && clientId == context.TraceIdentifier;
        return new UsageRecord
        {
            // A client's own id may repeat; the ledger's key must not.
            RequestId = clientSent ? RequestIds.Next() : context.TraceIdentifier,
            ClientRequestId = clientSent ? clientId : null,
            KeyId = request.Caller!.KeyId,
            Model = request.ModelId!,
            Deployment = deployment,
            Surface = request.Dialect!.Surface.Name,
            Status = status,
            LatencyMs = request.Elapsed.TotalMilliseconds,
            TimeToFirstTokenMs = request.FirstByte?.TotalMilliseconds,
            Attempts = request.Attempts,
            Usage = usage,
            Cost = cost,
            CreatedAt = time.GetUtcNow(),
        };
    }
}
