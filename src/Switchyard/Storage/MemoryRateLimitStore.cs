using System.Collections.Concurrent;

namespace Switchyard.Storage;

/// <summary>
/// Counts limits in this process, for a gateway that runs alone (SQLite storage). Exact: every
/// decision is made under the key's lock. A key's credits spent start from the ledger's sum the
/// first time the key is seen with a credit limit, and grow with each charge from then on; a
/// team's alike, from the ledger's sum of the rows charged to the team.
/// </summary>
internal sealed class MemoryRateLimitStore(Func<Admission, CancellationToken, Task<decimal>> spentSoFar, TimeProvider time) : IRateLimitStore
{
    private readonly ConcurrentDictionary<string, KeyState> _keys = new(StringComparer.Ordinal);

    public async ValueTask<AdmissionResult> TryAdmitAsync(Admission admission, CancellationToken cancellationToken)
    {
        var state = _keys.GetOrAdd(admission.KeyId, static _ => new KeyState());
        if (admission.Credits is not null && admission.ReservesBudget && !state.SpentLoaded)
        {
            var spent = await spentSoFar(admission, cancellationToken);
            lock (state)
            {
                if (!state.SpentLoaded)
                {
                    state.Spent += spent;
                    state.SpentLoaded = true;
                }
            }
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        var window = AdmissionResult.WindowOf((long)now);
        lock (state)
        {
            if (state.WindowStart < window)
            {
                state.WindowStart = window;
                state.Requests = 0;
                state.Tokens = 0;
            }

            var refusal = Check(admission, state);
            if (refusal == LimitRefusal.None)
            {
                if (admission.CountsRequest)
                {
                    state.Requests++;
                }

                if (admission.ReservesBudget)
                {
                    state.Tokens += admission.Tokens;
                }

                if (admission.MaxConcurrent is not null && admission.HoldsSlot)
                {
                    state.InFlight++;
                }

                if (admission.Credits is not null && admission.ReservesBudget)
                {
                    state.Reserved += admission.Cost;
                }
            }

            return new AdmissionResult(refusal, state.WindowStart, state.Requests, state.Tokens, AdmissionResult.UntilEndOf(state.WindowStart, now));
        }
    }

    public ValueTask<Settlement> ReleaseAsync(Admission admission, long windowStart, long tokensUsed, decimal cost, CancellationToken cancellationToken)
    {
        var state = _keys.GetOrAdd(admission.KeyId, static _ => new KeyState());
        lock (state)
        {
            if (admission.MaxConcurrent is not null && admission.HoldsSlot)
            {
                state.InFlight--;
            }

            if (state.WindowStart == windowStart)
            {
                state.Tokens = Math.Max(0, state.Tokens + tokensUsed - admission.Tokens);
            }

            if (admission.Credits is not null && admission.ReservesBudget)
            {
                state.Reserved -= admission.Cost;
            }

            if (state.SpentLoaded)
            {
                state.Spent += cost;
            }

            return ValueTask.FromResult(Settlement.None);
        }
    }

    public ValueTask CancelAsync(Admission admission, long windowStart, CancellationToken cancellationToken)
    {
        var state = _keys.GetOrAdd(admission.KeyId, static _ => new KeyState());
        lock (state)
        {
            if (state.WindowStart == windowStart)
            {
                if (admission.CountsRequest)
                {
                    state.Requests = Math.Max(0, state.Requests - 1);
                }

                if (admission.ReservesBudget)
                {
                    state.Tokens = Math.Max(0, state.Tokens - admission.Tokens);
                }
            }

            if (admission.MaxConcurrent is not null && admission.HoldsSlot)
            {
                state.InFlight--;
            }

            if (admission.Credits is not null && admission.ReservesBudget)
            {
                state.Reserved -= admission.Cost;
            }
        }

        return ValueTask.CompletedTask;
    }

    internal static LimitRefusal Check(Admission admission, int requests, long tokens, int inFlight, decimal spent, decimal reserved)
    {
        if (admission.CountsRequest && requests + 1 > admission.Rpm)
        {
            return LimitRefusal.Requests;
        }

        if (admission.ReservesBudget && tokens + admission.Tokens > admission.Tpm)
        {
            return LimitRefusal.Tokens;
        }

        if (admission.HoldsSlot && inFlight + 1 > admission.MaxConcurrent)
        {
            return LimitRefusal.Concurrency;
        }

        if (admission.Credits is { } granted && admission.ReservesBudget)
        {
            var remaining = granted - spent - reserved;
            if (remaining <= 0 || remaining < admission.Cost)
            {
                return LimitRefusal.Credits;
            }
        }

        return LimitRefusal.None;
    }

    private static LimitRefusal Check(Admission admission, KeyState state) =>
        Check(admission, state.Requests, state.Tokens, state.InFlight, state.Spent, state.Reserved);

    private sealed class KeyState
    {
        public long WindowStart;
        public int Requests;
        public long Tokens;
        public int InFlight;
        public decimal Reserved;
        public decimal Spent;
        public bool SpentLoaded;
    }
}
