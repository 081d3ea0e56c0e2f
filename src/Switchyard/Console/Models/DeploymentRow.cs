namespace Switchyard.Console.Models;

/// <summary>
/// A deployment's live health from this process's own metrics since it started: benched or not,
/// the share of attempts that failed, attempt latency and time to first token (p50/p95,
/// estimated from the histograms' buckets). Null where nothing was measured yet.
/// </summary>
public sealed record DeploymentRow(string Name, string Provider, string UpstreamModel, double Weight, bool Benched, TimeSpan BenchPeriod,
    long Attempts, double? FailureShare, double? LatencyP50, double? LatencyP95, double? FirstTokenP50, double? FirstTokenP95);
