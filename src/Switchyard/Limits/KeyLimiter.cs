using System.Collections.Concurrent;
using System.Globalization;
using Switchyard.Auth;
using Switchyard.Dialects;
using Switchyard.Storage;

namespace Switchyard.Limits;

/// <summary>
/// Applies a key's <c>rpm</c>, <c>tpm</c>, <c>maxConcurrent</c> and credits (docs/behaviour.md), and
/// its team's, which bind the sum of the team's keys: admits a request against its worst case only
/// when both its key and its team admit it, or refuses it with 429 (with <c>Retry-After</c>) or
/// 402 saying whose limit it was, and writes the <c>x-ratelimit-*</c> headers either way. Keys
/// with none of these, in no team with any, never reach the store.
/// </summary>
internal sealed class KeyLimiter(IRateLimitStore store)
{
    // How long a refused request waits for this process's finishing requests of the same key or team.
    private static readonly TimeSpan FinishingWait = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, Finishing> _finishing = new(StringComparer.Ordinal);

    internal IRateLimitStore Store => store;

    public static bool Applies(Caller caller) => KeyLimited(caller) || caller.Team is { HasLimits: true };

    private static bool KeyLimited(Caller caller) =>
        caller.Rpm is not null || caller.Tpm is not null || caller.MaxConcurrent is not null || caller.Credits is not null;

    /// <summary>
    /// Admits the request's first part from its headers alone, before its body is read — its slot
    /// under <c>maxConcurrent</c> and its unit of <c>rpm</c>, the key's and the team's, so a body
    /// still arriving holds its slots — or throws the 429; null for a key without limits.
    /// </summary>
    public ValueTask<KeyLease?> AdmitRequestAsync(Caller caller, RateLimitHeaders headers, CancellationToken cancellationToken)
    {
        if (!Applies(caller))
        {
            return ValueTask.FromResult<KeyLease?>(null);
        }

        var (key, team) = caller.FirstPart ??= new FirstPart(
            KeyLimited(caller) ? Limits(caller, tokens: 0, cost: 0m, Part.Request) : null,
            caller.Team is { HasLimits: true } limited ? TeamLimits(limited, tokens: 0, cost: 0m, Part.Request) : null);
        return AdmitAsync(key, team, headers, waitForFinishing: true, cancellationToken);
    }

    /// <summary>
    /// The admissions of a request's first part, the key's and the team's: the same for every
    /// request of a caller, so made once and kept with it (callers are cached with their keys).
    /// </summary>
    internal sealed record FirstPart(Admission? Key, Admission? Team);

    /// <summary>
    /// Admits the request's second part once its body is known: its worst case against the key's
    /// and the team's <c>tpm</c> and credits, counting no further request or slot; or throws the
    /// 429/402. It does not wait for finishing requests: it holds slots already, and waiting would
    /// hold them from the others.
    /// </summary>
    public ValueTask<KeyLease?> AdmitBudgetAsync(Caller caller, long tokens, decimal cost, RateLimitHeaders headers, CancellationToken cancellationToken)
    {
        var key = caller.Tpm is null && caller.Credits is null ? null : Limits(caller, tokens, cost, Part.Budget);
        var team = caller.Team is { } t && (t.Tpm is not null || t.Credits is not null) ? TeamLimits(t, tokens, cost, Part.Budget) : null;
        return key is null && team is null
            ? ValueTask.FromResult<KeyLease?>(null)
            : AdmitAsync(key, team, headers, waitForFinishing: false, cancellationToken);
    }

    /// <summary>What a part of a request counts: its request and slot (from its headers) or its budget (from its body).</summary>
    private enum Part
    {
        Request,
        Budget,
    }

    /// <summary>Every limit of the key, so both parts of a request meet the same limits (and the same lease slice).</summary>
    private static Admission Limits(Caller caller, long tokens, decimal cost, Part part) => new()
    {
        KeyId = caller.KeyId,
        CountsRequest = part == Part.Request,
        HoldsSlot = part == Part.Request,
        ReservesBudget = part == Part.Budget,
        Rpm = caller.Rpm,
        Tpm = caller.Tpm,
        MaxConcurrent = caller.MaxConcurrent,
        Credits = caller.Credits,
        Tokens = tokens,
        Cost = cost,
    };

    /// <summary>Every limit of the team, counted under the team's id.</summary>
    private static Admission TeamLimits(TeamRecord team, long tokens, decimal cost, Part part) => new()
    {
        KeyId = team.Id,
        CountsRequest = part == Part.Request,
        HoldsSlot = part == Part.Request,
        ReservesBudget = part == Part.Budget,
        ForTeam = true,
        Rpm = team.Rpm,
        Tpm = team.Tpm,
        MaxConcurrent = team.MaxConcurrent,
        Credits = team.Credits,
        Tokens = tokens,
        Cost = cost,
    };

    /// <summary>
    /// The key first, then the team; a team that refuses undoes the key's admission, so a request
    /// refused by either counts against neither.
    /// </summary>
    private async ValueTask<KeyLease?> AdmitAsync(Admission? key, Admission? team, RateLimitHeaders headers, bool waitForFinishing, CancellationToken cancellationToken)
    {
        var keyPart = key is null ? null : await AdmitPartAsync(key, headers, waitForFinishing, cancellationToken);
        LeasePart? teamPart = null;
        if (team is not null)
        {
            try
            {
                teamPart = await AdmitPartAsync(team, headers, waitForFinishing, cancellationToken);
            }
            catch when (keyPart is not null)
            {
                // Refused (or the client left): the key's units go back as if it had never been admitted.
                await store.CancelAsync(keyPart.Admission, keyPart.WindowStart, CancellationToken.None);
                throw;
            }
        }

        return new KeyLease(this, keyPart, teamPart);
    }

    private async ValueTask<LeasePart> AdmitPartAsync(Admission admission, RateLimitHeaders headers, bool waitForFinishing, CancellationToken cancellationToken)
    {
        var finishing = _finishing.GetOrAdd(admission.KeyId, static _ => new Finishing());
        var releases = finishing.Releases;
        var result = await TryAdmitAsync(admission, cancellationToken);
        if (!result.Admitted && waitForFinishing && result.Refusal != LimitRefusal.Requests)
        {
            var deadline = DateTime.UtcNow + FinishingWait;
            while (!result.Admitted && await WaitForFinishingAsync(finishing, releases, deadline, cancellationToken))
            {
                releases = finishing.Releases;
                result = await TryAdmitAsync(admission, cancellationToken);
            }
        }

        // A team's headers show where the team binds tighter than the key (a refusal always does).
        headers.Add(admission, result, tighterOnly: admission.ForTeam);
        if (!result.Admitted)
        {
            throw new GatewayException(Refusal(admission, result));
        }

        return new LeasePart(admission, result.WindowStart, finishing);
    }

    /// <summary>
    /// Asks the store, within the store's request timeout. A store that is down or slow refuses
    /// with a 503: what this process holds of the key's budget is used up first (PostgreSQL
    /// slices, SQLite's counters in memory), and only what needs the database waits for it.
    /// </summary>
    private async ValueTask<AdmissionResult> TryAdmitAsync(Admission admission, CancellationToken cancellationToken)
    {
        try
        {
            return await StoreFailure.WithinTimeoutAsync((store, admission), static (call, token) => call.store.TryAdmitAsync(call.admission, token), cancellationToken);
        }
        catch (Exception exception) when (StoreFailure.IsUnavailable(exception))
        {
            throw new GatewayException(StoreFailure.Error());
        }
    }

    /// <summary>
    /// Waits while this process has finishing requests of the key, until one of them hands its
    /// units back; true at once when one did since the refused try (<paramref name="releasesBefore"/>:
    /// the last one out may hand back between the try and this look, leaving nothing to wait for
    /// and its slot free); false when there is none to wait for or the wait ran out.
    /// </summary>
    private static async Task<bool> WaitForFinishingAsync(Finishing finishing, long releasesBefore, DateTime deadline, CancellationToken cancellationToken)
    {
        var left = deadline - DateTime.UtcNow;
        if (left <= TimeSpan.Zero)
        {
            return false;
        }

        // The signal first, then the count of releases: a release after the look is then signalled.
        var released = finishing.Released();
        if (finishing.Releases != releasesBefore)
        {
            return true;
        }

        if (released is null)
        {
            return false;
        }

        try
        {
            await released.WaitAsync(left, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            // Still not handed back: the refusal stands on what the store says now.
            return false;
        }
    }

    /// <summary>A key's requests that are finishing in this process, and a signal each time one of them is released.</summary>
    internal sealed class Finishing
    {
        private int _count;
        private long _releases;
        private TaskCompletionSource? _released;

        /// <summary>How many finishing requests have handed their units back so far.</summary>
        public long Releases => Interlocked.Read(ref _releases);

        public void Add() => Interlocked.Increment(ref _count);

        public void Remove()
        {
            // Counted before the count drops: a waiter that sees nothing finishing sees this release.
            Interlocked.Increment(ref _releases);
            Interlocked.Decrement(ref _count);
            Interlocked.Exchange(ref _released, null)?.TrySetResult();
        }

        /// <summary>Completes at the next release; null when nothing is finishing.</summary>
        public Task? Released()
        {
            if (Volatile.Read(ref _count) == 0)
            {
                return null;
            }

            var signal = Volatile.Read(ref _released);
            if (signal is null)
            {
                var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                signal = Interlocked.CompareExchange(ref _released, fresh, null) ?? fresh;
            }

            // A release between the count and the signal would be missed: look again.
            return Volatile.Read(ref _count) == 0 ? null : signal.Task;
        }
    }

    internal static GatewayError Refusal(Admission admission, AdmissionResult result)
    {
        var untilReset = result.UntilReset < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : result.UntilReset;
        var whose = admission.ForTeam ? "this key's team" : "this key";
        return result.Refusal switch
        {
            LimitRefusal.Requests => new GatewayError(GatewayErrorKind.RateLimited,
                string.Create(CultureInfo.InvariantCulture, $"Rate limit reached for {whose}: {admission.Rpm} requests per minute. Try again in {RateLimitHeaders.Duration(untilReset)}."))
            { RetryAfter = untilReset },
            LimitRefusal.Tokens when admission.Tokens > admission.Tpm => new GatewayError(GatewayErrorKind.RateLimited,
                string.Create(CultureInfo.InvariantCulture, $"This request may use up to {admission.Tokens} tokens (input estimate plus maximum output), more than {whose}'s limit of {admission.Tpm} tokens per minute. Lower max_tokens."))
            { RetryAfter = untilReset },
            LimitRefusal.Tokens => new GatewayError(GatewayErrorKind.RateLimited,
                string.Create(CultureInfo.InvariantCulture, $"Rate limit reached for {whose}: {admission.Tpm} tokens per minute; this request may use up to {admission.Tokens}. Try again in {RateLimitHeaders.Duration(untilReset)}."))
            { RetryAfter = untilReset },
            LimitRefusal.Concurrency => new GatewayError(GatewayErrorKind.RateLimited,
                string.Create(CultureInfo.InvariantCulture, $"Too many requests in flight for {whose}: at most {admission.MaxConcurrent} at once."))
            { RetryAfter = TimeSpan.FromSeconds(1) },
            _ => new GatewayError(GatewayErrorKind.CreditExhausted, admission.ForTeam
                ? string.Create(CultureInfo.InvariantCulture, $"This key's team's credits cannot cover this request, which may cost up to {admission.Cost} credits. Top up the team's credits.")
                : string.Create(CultureInfo.InvariantCulture, $"This key's credits cannot cover this request, which may cost up to {admission.Cost} credits. Top up the key's credits."))
            { Code = "insufficient_quota" },
        };
    }
}
