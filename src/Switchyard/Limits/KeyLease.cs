using System.Runtime.ExceptionServices;
using Switchyard.Storage;

namespace Switchyard.Limits;

/// <summary>
/// An admitted request's hold on its key's limits and credits, and on its team's when the key is
/// in one, released exactly once when the request ends. While it is finishing (its answer is on
/// its way out), a refused request of the same key or team waits for it: a client that sends its
/// next request the moment it reads the last byte must not be refused for a slot that is being
/// handed back.
/// </summary>
internal sealed class KeyLease
{
    private readonly KeyLimiter _limiter;
    private int _state;

    internal KeyLease(KeyLimiter limiter, LeasePart? key, LeasePart? team)
    {
        _limiter = limiter;
        Key = key;
        Team = team;
    }

    /// <summary>The hold on the key's own budget; null when the key has no limit this part of the request needs.</summary>
    public LeasePart? Key { get; }

    /// <summary>The hold on the team's budget; null when the key is in no team, or the team has no limit this part needs.</summary>
    public LeasePart? Team { get; }

    /// <summary>The answer is complete or nearly so; a refused request of this key or team may wait for this lease.</summary>
    public void MarkFinishing()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) == 0)
        {
            Key?.Finishing.Add();
            Team?.Finishing.Add();
        }
    }

    /// <summary>
    /// Hands back the slots and settles both reservations to the whole cost. Each part is released
    /// even when the other's store fails; the first failure comes back with what did settle.
    /// </summary>
    public async ValueTask<LeaseSettlement> ReleaseAsync(long tokensUsed, decimal cost, CancellationToken cancellationToken)
    {
        MarkFinishing();
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            throw new InvalidOperationException("A lease is released once.");
        }

        var key = Settlement.None;
        var team = Settlement.None;
        Exception? failure = null;
        try
        {
            key = Key is null ? key : await _limiter.Store.ReleaseAsync(Key.Admission, Key.WindowStart, tokensUsed, cost, cancellationToken);
        }
        catch (Exception exception)
        {
            failure = exception;
        }
        finally
        {
            Key?.Finishing.Remove();
        }

        try
        {
            team = Team is null ? team : await _limiter.Store.ReleaseAsync(Team.Admission, Team.WindowStart, tokensUsed, cost, cancellationToken);
        }
        catch (Exception exception)
        {
            failure ??= exception;
        }
        finally
        {
            Team?.Finishing.Remove();
        }

        return new LeaseSettlement(key, team, failure is null ? null : ExceptionDispatchInfo.Capture(failure));
    }
}

/// <summary>One admission held: what was asked, the rate window it was counted in, and its key's or team's finishing requests.</summary>
internal sealed record LeasePart(Admission Admission, long WindowStart, KeyLimiter.Finishing Finishing);

/// <summary>How a request's charge was settled against its key and its team; a failure of either store is reported, not thrown.</summary>
internal readonly record struct LeaseSettlement(Settlement Key, Settlement Team, ExceptionDispatchInfo? Failure);
