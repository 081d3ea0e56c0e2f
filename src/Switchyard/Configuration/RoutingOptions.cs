namespace Switchyard.Configuration;

/// <summary>Bounds on retries, failover and queueing (issue #7); the defaults suit most deployments.</summary>
internal sealed class RoutingOptions
{
    /// <summary>Upstream attempts per request at most, over all deployments and fallbacks.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Time a request may spend on retries and failover before the last failure is answered.</summary>
    public double RetryBudgetSeconds { get; set; } = 60;

    /// <summary>First backoff between retries; doubles each retry, with jitter.</summary>
    public double BackoffMilliseconds { get; set; } = 250;

    /// <summary>How long a request may wait for a provider at its maxConcurrency.</summary>
    public double QueueTimeoutSeconds { get; set; } = 10;

    /// <summary>Requests that may wait per provider at its maxConcurrency; more are refused at once.</summary>
    public int MaxQueue { get; set; } = 256;

    /// <summary>Consecutive failures that bench a deployment.</summary>
    public int BenchAfterFailures { get; set; } = 3;

    /// <summary>First bench period; doubles while the deployment keeps failing, up to five minutes.</summary>
    public double BenchSeconds { get; set; } = 10;
}
