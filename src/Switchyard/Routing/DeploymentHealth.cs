using System.Collections.Concurrent;

namespace Switchyard.Routing;

/// <summary>
/// Circuit state per deployment (docs/behaviour.md): after N failures in a row a deployment is benched
/// for a cool-down that doubles while it keeps failing (up to 5 min); when the cool-down ends one
/// request probes it, and its outcome closes the circuit or benches it again. State is keyed by
/// deployment name, so it survives configuration reloads.
/// </summary>
internal sealed class DeploymentHealth(TimeProvider time, Func<Configuration.RoutingOptions> routing)
{
    private static readonly TimeSpan MaxBench = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, State> _states = new(StringComparer.Ordinal);

    /// <summary>Consecutive failures that bench a deployment, as configured now.</summary>
    private int BenchAfterFailures => routing().BenchAfterFailures;

    /// <summary>The first bench period, as configured now.</summary>
    private TimeSpan FirstBench => TimeSpan.FromSeconds(routing().BenchSeconds);

    /// <summary>May a request go to this deployment now? Claims the probe slot of a cool-down that just ended.</summary>
    public bool TryEnter(string deployment)
    {
        if (!_states.TryGetValue(deployment, out var state))
        {
            return true;
        }

        lock (state)
        {
            if (state.BenchedUntil is not { } until)
            {
                return true;
            }

            if (time.GetUtcNow() < until || state.Probing)
            {
                return false;
            }

            state.Probing = true;
            return true;
        }
    }

    public bool IsBenched(string deployment)
    {
        if (!_states.TryGetValue(deployment, out var state))
        {
            return false;
        }

        lock (state)
        {
            return state.BenchedUntil is { } until && (time.GetUtcNow() < until || state.Probing);
        }
    }

    /// <summary>When the soonest of these deployments can be tried again.</summary>
    public TimeSpan RetryAfter(IEnumerable<string> deployments)
    {
        var now = time.GetUtcNow();
        var soonest = MaxBench;
        foreach (var deployment in deployments)
        {
            if (_states.TryGetValue(deployment, out var state))
            {
                lock (state)
                {
                    if (state.BenchedUntil is { } until && until - now < soonest)
                    {
                        soonest = until - now;
                    }
                }
            }
        }

        return soonest < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : soonest;
    }

    /// <summary>Clears the failure count; returns true when this success ended a bench (the probe passed).</summary>
    public bool RecordSuccess(string deployment)
    {
        if (!_states.TryGetValue(deployment, out var state))
        {
            return false;
        }

        lock (state)
        {
            var restored = state.BenchedUntil is not null;
            state.Failures = 0;
            state.BenchedUntil = null;
            state.Bench = TimeSpan.Zero;
            state.Probing = false;
            return restored;
        }
    }

    /// <summary>The length of the deployment's current (or last) bench.</summary>
    public TimeSpan BenchPeriod(string deployment)
    {
        if (!_states.TryGetValue(deployment, out var state))
        {
            return TimeSpan.Zero;
        }

        lock (state)
        {
            return state.Bench;
        }
    }

    /// <summary>How many deployments are benched now (for the <c>switchyard.deployments.benched</c> gauge).</summary>
    public int BenchedCount()
    {
        var count = 0;
        foreach (var (name, _) in _states)
        {
            count += IsBenched(name) ? 1 : 0;
        }

        return count;
    }

    /// <summary>Counts a failure; returns true when the deployment is (now) benched.</summary>
    public bool RecordFailure(string deployment)
    {
        var state = _states.GetOrAdd(deployment, static _ => new State());
        lock (state)
        {
            state.Failures++;
            if (!state.Probing && state.Failures < BenchAfterFailures)
            {
                return false;
            }

            // A failed probe, or the Nth failure in a row: bench, doubling while it keeps failing.
            state.Bench = state.Bench == TimeSpan.Zero ? FirstBench : TimeSpan.FromTicks(Math.Min(state.Bench.Ticks * 2, MaxBench.Ticks));
            state.BenchedUntil = time.GetUtcNow() + state.Bench;
            state.Probing = false;
            return true;
        }
    }

    private sealed class State
    {
        public int Failures { get; set; }

        public DateTimeOffset? BenchedUntil { get; set; }

        public TimeSpan Bench { get; set; }

        public bool Probing { get; set; }
    }
}
