using Microsoft.Extensions.Logging;
using Switchyard.Catalog;
using Switchyard.Configuration;
using Switchyard.Diagnostics;
using Switchyard.Dialects;
using Switchyard.Pipeline;

namespace Switchyard.Routing;

/// <summary>
/// Runs a request's attempts across a model's deployments and fallbacks (docs/behaviour.md):
///  1. order the healthy candidates (weighted, then fallbacks); all benched → 503 at once;
///  2. for each: wait for a slot at the provider's maxConcurrency (bounded queue, deadline);
///  3. attempt; a failure that allows failover is retried with backoff — on the same deployment
///     while it is its model's only one (up to the provider's retries), else on the next candidate —
///     honouring an upstream Retry-After, within the attempt and time budgets;
///  4. record each outcome in <see cref="DeploymentHealth"/>.
/// The last failure is answered as it came (429 stays 429, a timeout is 504, the rest 502).
/// Each attempt is a child span of the request's and a <c>gen_ai.client.operation.duration</c>;
/// retries, benches and queue waits are counted here, where they are decided.
/// </summary>
internal sealed class FailoverRouter(
    DeploymentHealth health,
    ProviderGates gates,
    SnapshotMonitor snapshots,
    SwitchyardMetrics metrics,
    TimeProvider time,
    ILogger<FailoverRouter> logger,
    Alerts.IAlertSink? alerts = null)
{
    public delegate Task<AttemptOutcome> Attempt(ModelEntry entry, Deployment deployment);

    public async Task<AttemptOutcome> RunAsync(GatewayRequest request, Attempt attempt)
    {
        var options = snapshots.Current.Routing;
        var model = request.Model!;
        var cancellationToken = request.Aborted;
        var candidates = DeploymentSelector.Candidates(request.Catalog!, model, Random.Shared);
        var telemetry = request.Telemetry;
        telemetry?.Routing(model);

        // 1. All benched: answer at once rather than after a timeout.
        if (AllBenched(candidates))
        {
            return AttemptOutcome.Failed(Overloaded("Every deployment of this model is unavailable right now; retry later.",
                health.RetryAfter(candidates.Select(c => c.Deployment.Name))));
        }

        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(options.RetryBudgetSeconds);
        GatewayError? last = null;
        var attempts = 0;
        foreach (var (entry, deployment) in candidates)
        {
            var tries = 1 + (entry.Deployments.Count == 1 ? Math.Max(0, deployment.Provider.Retries) : 0);
            for (var retry = 0; retry < tries; retry++)
            {
                if (attempts >= options.MaxAttempts || time.GetUtcNow() >= deadline)
                {
                    return AttemptOutcome.Failed(last ?? Overloaded("The retry budget ran out.", TimeSpan.FromSeconds(1)));
                }

                if (!health.TryEnter(deployment.Name))
                {
                    break;
                }

                // 3. Back off before a retry; an upstream's Retry-After for this deployment wins when it fits the budget.
                if (retry > 0)
                {
                    var wait = last?.RetryAfter is { } after && time.GetUtcNow() + after < deadline
                        ? after
                        : Backoff.Delay(retry - 1, TimeSpan.FromMilliseconds(options.BackoffMilliseconds), Random.Shared);
                    await Task.Delay(wait, time, cancellationToken);
                }

                // 2. Back-pressure at the provider's maxConcurrency.
                var gate = gates.For(deployment.Provider);
                var queued = time.GetTimestamp();
                using var slot = gate is null ? null : await gate.EnterAsync(TimeSpan.FromSeconds(options.QueueTimeoutSeconds), cancellationToken);
                var waited = time.GetElapsedTime(queued);
                request.Queue += waited;
                if (gate is not null)
                {
                    metrics.RecordQueueWait(deployment.Provider.Name, admitted: slot is not null, waited.TotalSeconds);
                }

                if (gate is not null && slot is null)
                {
                    last = Overloaded($"The upstream of this model is at its concurrency limit and its queue is full or timed out.", TimeSpan.FromSeconds(1));
                    break;
                }

                request.Deployment = deployment;
                attempts++;
                if (attempts > 1)
                {
                    metrics.RecordRetry(model.Id, deployment.Name);
                }

                using var span = telemetry?.StartAttempt(entry, deployment);
                var started = time.GetTimestamp();
                var outcome = await attempt(entry, deployment);
                var errorType = outcome.Error is { } error ? TelemetryTags.ErrorTypeOf(error.Kind) : null;
                metrics.RecordAttempt(telemetry?.Operation.Name ?? "chat", entry.Id,
                    deployment.Provider.Type.TelemetryName, deployment.Name, errorType, time.GetElapsedTime(started).TotalSeconds);
                telemetry?.EndAttempt(span, outcome);

                // 4. Health follows every outcome; only upstream faults count against a deployment.
                if (outcome.Error is { AllowsFailover: true } || (outcome.Committed && outcome.Error is not null))
                {
                    if (health.RecordFailure(deployment.Name))
                    {
                        metrics.RecordBench(deployment.Name);
                        logger.DeploymentBenched(deployment.Name, health.BenchPeriod(deployment.Name).TotalSeconds, outcome.Error.UpstreamStatus ?? outcome.Error.Status, errorType!);
                        alerts?.DeploymentBenched(deployment.Name, health.BenchPeriod(deployment.Name));
                    }
                }
                else if ((outcome.Error is null || outcome.Committed) && health.RecordSuccess(deployment.Name))
                {
                    logger.DeploymentRestored(deployment.Name);
                    alerts?.DeploymentRecovered(deployment.Name);
                }

                if (outcome.Committed || outcome.Error is not { AllowsFailover: true })
                {
                    return outcome;
                }

                last = outcome.Error;
                logger.AttemptFailed(attempts, model.Id, deployment.Name, last.UpstreamStatus ?? last.Status, errorType!);
                if (health.IsBenched(deployment.Name))
                {
                    break;
                }
            }
        }

        return AttemptOutcome.Failed(last ?? Overloaded("Every deployment of this model is unavailable right now; retry later.",
            health.RetryAfter(candidates.Select(c => c.Deployment.Name))));
    }

    private static GatewayError Overloaded(string message, TimeSpan retryAfter) =>
        new(GatewayErrorKind.AllDeploymentsBusy, message) { RetryAfter = retryAfter, Code = "overloaded" };

    // A loop, not All with a lambda: a delegate and an enumerator for every request otherwise.
    private bool AllBenched(List<(ModelEntry Model, Deployment Deployment)> candidates)
    {
        foreach (var (_, deployment) in candidates)
        {
            if (!health.IsBenched(deployment.Name))
            {
                return false;
            }
        }

        return true;
    }
}
