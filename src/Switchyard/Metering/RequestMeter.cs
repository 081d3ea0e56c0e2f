using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchyard.Auth;
using Switchyard.Catalog;
using Switchyard.Diagnostics;
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
public sealed class RequestMeter(KeyLimiter limiter, IRateLimitStore limits, UsageWriter writer, TimeProvider time, ILogger<RequestMeter> logger,
    Alerts.IAlertSink? alerts = null)
{
    public async Task<MeteredRequest> AdmitAsync(HttpContext context, Caller caller, ModelEntry model, string modelId, Surface surface, bool stream, Reservation reservation)
    {
        var timings = context.Features.Get<RequestTimings>();
        KeyLease? lease;
        try
        {
            lease = await limiter.AdmitAsync(caller, reservation.Tokens, reservation.Cost(model.Pricing), context.Response.Headers, context.RequestAborted);
        }
        catch (Dialects.GatewayException refused)
        {
            // The request log shows refusals too; they cost nothing.
            await writer.EnqueueAsync(Record(context, caller.KeyId, modelId, surface, null, refused.Error.Status, Usage.Empty, 0m, chargeHeld: false));
            throw;
        }

        var metered = new MeteredRequest
        {
            Caller = caller,
            Model = model,
            ModelId = modelId,
            Surface = surface,
            Stream = stream,
            Reservation = reservation,
            Lease = lease,
        };
        context.Features.Set(metered);
        context.Response.OnStarting(static state =>
        {
            var (metered, timings) = ((MeteredRequest, RequestTimings?))state;
            timings?.MarkFirstByte();

            // A whole answer leaves with its first write: its slot is as good as free.
            if (!metered.Stream)
            {
                metered.Lease?.MarkFinishing();
            }

            return Task.CompletedTask;
        }, (metered, timings));
        return metered;
    }

    /// <summary>Settles the request admitted on this context, if any; called once the response is complete or abandoned.</summary>
    public async Task SettleAsync(HttpContext context)
    {
        if (context.Features.Get<MeteredRequest>() is not { } metered)
        {
            return;
        }

        context.Features.Set<MeteredRequest>(null);
        var charged = metered.Charged(context.Response);

        // Images and audio are priced per image, second or character, not per token (MediaCost).
        var media = metered.Surface is Surface.Images or Surface.Audio;
        var usage = charged && !media ? metered.Relayed.ToCharge(metered.Reservation.InputTokens) : Usage.Empty;
        var cost = !charged || metered.Model.Pricing is not { } pricing ? 0m
            : media ? metered.Relayed.Reported?.Cost ?? pricing.MinimumCharge
            : CostCalculator.Cost(pricing, usage);
        var status = context.RequestAborted.IsCancellationRequested ? StatusCodes.Status499ClientClosedRequest : context.Response.StatusCode;
        var record = Record(context, metered.Caller.KeyId, metered.ModelId, metered.Surface, metered.Deployment?.Name, status, usage with { Cost = null }, cost, chargeHeld: false);
        try
        {
            if (metered.Lease is { } lease)
            {
                var settled = await lease.ReleaseAsync(usage.TotalTokens, cost, CancellationToken.None);
                record = record with
                {
                    Cost = settled,
                    ChargeHeld = limits.HoldsChargesUntilLedgered && lease.Admission.Credits is not null && settled != 0,
                };
            }
        }
        catch (Exception exception)
        {
            // The row is still written: the ledger, not the counters, is the record of what was charged.
            logger.SettlementFailed(exception, record.RequestId, record.KeyId);
        }

        await writer.EnqueueAsync(record);
        if (metered.Caller.Credits is { } granted && record.Cost > 0)
        {
            alerts?.CreditsCharged(record.KeyId, metered.Caller.Name, granted, record.Cost);
        }
    }

    private UsageRecord Record(HttpContext context, string keyId, string modelId, Surface surface, string? deployment, int status, Usage usage, decimal cost, bool chargeHeld)
    {
        var timings = context.Features.Get<RequestTimings>();
        var clientId = context.Request.Headers[RequestHeadersMiddleware.RequestIdHeader].ToString();
        var clientSent = clientId.Length > 0 && clientId == context.TraceIdentifier;
        return new UsageRecord
        {
            // A client's own id may repeat; the ledger's key must not.
            RequestId = clientSent ? RequestIds.Next() : context.TraceIdentifier,
            ClientRequestId = clientSent ? clientId : null,
            KeyId = keyId,
            Model = modelId,
            Deployment = deployment,
            Surface = SurfaceNames.All[(int)surface],
            Status = status,
            LatencyMs = timings?.Elapsed.TotalMilliseconds ?? 0,
            TimeToFirstTokenMs = timings?.FirstByte?.TotalMilliseconds,
            Attempts = timings?.Attempts ?? 0,
            QueueMs = timings?.Queue.TotalMilliseconds,
            UpstreamMs = timings is { Attempts: > 0 } ? timings.Upstream.TotalMilliseconds : null,
            Usage = usage,
            Cost = cost,
            ChargeHeld = chargeHeld,
            CreatedAt = time.GetUtcNow(),
        };
    }
}
