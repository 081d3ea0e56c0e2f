using Switchyard.Auth;
using Switchyard.Dialects;
using Switchyard.Limits;
using Switchyard.Storage;

namespace Switchyard.Tests.Limits;

/// <summary>
/// A request refused for a slot that a finishing request of its key is handing back waits for it
/// rather than taking a 429 — including when the hand-back lands between the refused try and the
/// look for something to wait for: nothing is finishing any more then, yet the slot is free.
/// </summary>
public sealed class FinishingWaitTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly Caller OneAtATime = new() { KeyId = "one", Name = "one", MaxConcurrent = 1 };

    /// <summary>A limiter whose key's one slot is held by a request that is finishing.</summary>
    private static async Task<(SteppedStore Store, KeyLimiter Limiter, KeyLease Finishing)> OneFinishingAsync()
    {
        var store = new SteppedStore();
        var limiter = new KeyLimiter(store);
        var finishing = (await limiter.AdmitRequestAsync(OneAtATime, new RateLimitHeaders(), Cancel))!;
        finishing.MarkFinishing();
        return (store, limiter, finishing);
    }

    [Fact]
    public async Task A_slot_handed_back_just_after_the_refused_try_admits_the_request()
    {
        var (store, limiter, finishing) = await OneFinishingAsync();

        // The finishing request hands its slot back after the next request's try was refused, before it looks for something to wait for.
        store.AfterRefusal = () => finishing.ReleaseAsync(0, 0m, Cancel).AsTask();
        var admitting = limiter.AdmitRequestAsync(OneAtATime, new RateLimitHeaders(), Cancel);

        // The store answers at once, so a request that waited for a release that had already come would not be done yet.
        Assert.True(admitting.IsCompleted);
        Assert.NotNull(await admitting);
        Assert.Equal(3, store.Tries);
    }

    [Fact]
    public async Task A_slot_held_by_a_request_not_finishing_is_refused_at_once()
    {
        var store = new SteppedStore();
        var limiter = new KeyLimiter(store);
        _ = await limiter.AdmitRequestAsync(OneAtATime, new RateLimitHeaders(), Cancel);

        var refusing = limiter.AdmitRequestAsync(OneAtATime, new RateLimitHeaders(), Cancel);

        Assert.True(refusing.IsCompleted, "refused without waiting: nothing of the key is finishing");
        var refused = await Assert.ThrowsAsync<GatewayException>(() => refusing.AsTask());

        Assert.Equal(GatewayErrorKind.RateLimited, refused.Error.Kind);
        Assert.Equal(2, store.Tries);
    }

    [Fact]
    public async Task A_slot_handed_back_while_the_request_waits_admits_it()
    {
        var (store, limiter, finishing) = await OneFinishingAsync();

        var next = limiter.AdmitRequestAsync(OneAtATime, new RateLimitHeaders(), Cancel).AsTask();
        while (store.Tries < 2)
        {
            await Task.Delay(10, Cancel);
        }

        await finishing.ReleaseAsync(0, 0m, Cancel);

        Assert.NotNull(await next);
        Assert.Equal(3, store.Tries);
    }

    /// <summary>Counts in memory as a single gateway does, and runs a step of the test's right after a refusal.</summary>
    private sealed class SteppedStore : IRateLimitStore
    {
        private readonly MemoryRateLimitStore _inner = new((_, _) => Task.FromResult(0m), TimeProvider.System);

        public Func<Task>? AfterRefusal { get; set; }

        private int _tries;

        public int Tries => Volatile.Read(ref _tries);

        public async ValueTask<AdmissionResult> TryAdmitAsync(Admission admission, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _tries);
            var result = await _inner.TryAdmitAsync(admission, cancellationToken);
            if (!result.Admitted && AfterRefusal is { } step)
            {
                AfterRefusal = null;
                await step();
            }

            return result;
        }

        public ValueTask<Settlement> ReleaseAsync(Admission admission, long windowStart, long tokensUsed, decimal cost, CancellationToken cancellationToken) =>
            _inner.ReleaseAsync(admission, windowStart, tokensUsed, cost, cancellationToken);

        public ValueTask CancelAsync(Admission admission, long windowStart, CancellationToken cancellationToken) =>
            _inner.CancelAsync(admission, windowStart, cancellationToken);
    }
}
