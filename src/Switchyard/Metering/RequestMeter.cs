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
/// Governs a model request at its ends. Admission, in two parts, each against the key's limits and
/// its team's: <c>rpm</c> and <c>maxConcurrent</c> from the headers, before the body is read; then
/// the worst case of the body against <c>tpm</c> and credits, before any upstream call (429/402). Settlement (after the answer,
/// however it ended): charge <c>max(minimumCharge, tokens × price)</c> once, for the usage the
/// upstream reported or, for a stream cut short, for what was relayed; release the rest; and queue
/// the request's one ledger row.
/// </summary>
internal sealed class RequestMeter(KeyLimiter limiter, UsageWriter writer, TimeProvider time, ILogger<RequestMeter> logger,
    Alerts.IAlertSink? alerts = null)
{
    /// <summary>Takes the key's request slot and rate unit, before the body is read.</summary>
    public async Task AdmitRequestAsync(GatewayRequest request)
    {
        var context = request.Context;
        try
        {
            var caller = request.Caller!;
            request.RequestLease = KeyLimiter.Applies(caller)
                ? await limiter.AdmitRequestAsync(caller, request.RateLimits ??= new(), context.RequestAborted)
                : null;
        }
        catch (GatewayException refused)
        {
            await RefusedAsync(request, refused.Error);
            throw;
        }

        Admitted(request);
    }

    /// <summary>Reserves the request's worst case, once its body is known; its input is tokenized only when a budget holds it.</summary>
    public async Task AdmitAsync(GatewayRequest request, Reservation reservation)
    {
        var context = request.Context;
        if (!request.Uncharged && request.Caller is { HasBudget: true })
        {
            reservation = reservation.Counted(request.Body.Span);
        }

        request.Reservation = reservation;
        try
        {
            var caller = request.Caller!;
            request.Lease = request.Uncharged || !KeyLimiter.Applies(caller)
                ? null
                : await limiter.AdmitBudgetAsync(caller, reservation.Tokens, reservation.Cost(request.Model!.Pricing), request.RateLimits ??= new(), context.RequestAborted);
        }
        catch (GatewayException refused)
        {
            await RefusedAsync(request, refused.Error);
            throw;
        }

        Admitted(request);
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
        var charged = request.Charged && !request.Uncharged && request.Model is not null;

        // Images and audio are priced per image, second or character, not per token (MediaCost).
        var media = request.Route is { } route && RoutePlanner.KindOf(route.Operation) is ModelKind.Image or ModelKind.Audio;
        var usage = !charged || media ? Usage.Empty
            : request.Relayed.ToCharge(request.Relayed.ReportedInput ? 0 : request.Reservation.Counted(request.Body.Span).InputTokens);
        if (charged && request.Reservation.WebSearchCalls > usage.WebSearchCalls && ReferenceEquals(request.Deployment?.UpstreamDialect, request.Dialect))
        {
            // A passthrough answer that reports no search count (Chat Completions with
            // web_search_options): the request's own search is one call.
            usage = usage with { WebSearchCalls = request.Reservation.WebSearchCalls };
        }

        var cost = !charged || request.Model!.Pricing is not { } pricing ? 0m
            : media ? request.Relayed.Reported?.Cost ?? pricing.MinimumCharge
            : CostCalculator.Cost(pricing, usage);
        var status = request.FinalStatus;
        // Timed before settlement, whose store calls are not the request's; the row is built once
        // the lease says what it holds.
        var elapsed = request.Elapsed;
        var createdAt = time.GetUtcNow();
        // The row is written whatever the counters say: the ledger, not the counters, is the record of what was charged.
        var requestSlotFailure = request.RequestLease is { } slot ? (await slot.ReleaseAsync(0, 0m, CancellationToken.None)).Failure : null;

        // The whole cost is charged, to the key and to its team; part of it may still sit in
        // this process's leases until the ledger moves it.
        var settled = request.Lease is { } lease ? await lease.ReleaseAsync(usage.TotalTokens, cost, CancellationToken.None) : default;
        var record = Record(request, request.Deployment?.Name, status, usage.Cost is null ? usage : usage with { Cost = null }, cost, elapsed, createdAt, settled);
        if (requestSlotFailure is not null)
        {
            logger.SettlementFailed(requestSlotFailure.SourceException, record.RequestId, record.KeyId);
        }

        if (settled.Failure is { } failure)
        {
            logger.SettlementFailed(failure.SourceException, record.RequestId, record.KeyId);
        }

        if (request.Refused)
        {
            return;
        }

        await writer.EnqueueAsync(record);
        if (record.Cost > 0 && request.Caller!.Credits is { } granted)
        {
            alerts?.CreditsCharged(record.KeyId, request.Caller.Name, granted, record.Cost);
        }

        if (record.Cost > 0 && request.Caller!.Team is { Credits: { } teamGranted } team)
        {
            alerts?.TeamCreditsCharged(team.Id, team.Name, teamGranted, record.Cost);
        }
    }

    /// <summary>The request log shows refusals too; they cost nothing.</summary>
    private async Task RefusedAsync(GatewayRequest request, GatewayError error)
    {
        request.Refused = true;
        request.RateLimits?.WriteTo(request.Context.Response.Headers);
        await writer.EnqueueAsync(Record(request, null, error.Status, Usage.Empty, 0m, request.Elapsed, time.GetUtcNow(), default));
    }

    private static void Admitted(GatewayRequest request)
    {
        if (request.Admitted)
        {
            return;
        }

        request.Admitted = true;
        request.Context.Response.OnStarting(static state =>
        {
            var request = (GatewayRequest)state;
            request.MarkFirstByte();
            request.RateLimits?.WriteTo(request.Context.Response.Headers);

            // A whole answer leaves with its first write: its slot is as good as free. A stream is
            // marked when its last event goes out (the forwarders).
            if (!request.Stream)
            {
                request.MarkFinishing();
            }

            return Task.CompletedTask;
        }, request);
    }

    private static UsageRecord Record(GatewayRequest request, string? deployment, int status, Usage usage, decimal cost, TimeSpan elapsed, DateTimeOffset createdAt, LeaseSettlement settled)
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
            TeamId = request.Caller.Team?.Id,
            Model = request.ModelId ?? string.Empty,
            Deployment = deployment,
            Surface = request.Dialect!.Surface.Name,
            Status = status,
            LatencyMs = elapsed.TotalMilliseconds,
            TimeToFirstTokenMs = request.FirstByte?.TotalMilliseconds,
            Attempts = request.Attempts,
            QueueMs = request.Queue.TotalMilliseconds,
            UpstreamMs = request.Attempts > 0 ? request.Upstream.TotalMilliseconds : null,
            Usage = usage,
            Cost = cost,
            CreatedAt = createdAt,
            HeldCharge = settled.Key.Held,
            HeldBy = settled.Key.Holder,
            TeamHeldCharge = settled.Team.Held,
            TeamHeldBy = settled.Team.Holder,
        };
    }
}
