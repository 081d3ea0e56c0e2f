namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>
/// The tokens of a <see cref="Scenario.Metered"/> answer, in the gateway's buckets: <see cref="Input"/>
/// leaves out cache reads and writes, <see cref="Output"/> includes <see cref="Reasoning"/>. A dialect
/// without a bucket reports zero in it.
/// </summary>
public sealed record MeteredUsage(int Input, int CacheRead, int CacheWrite, int Output, int Reasoning)
{
    /// <summary>What the request costs at these per-million prices (reasoning at the output price).</summary>
    public decimal Cost(decimal input, decimal cacheRead, decimal cacheWrite, decimal output) =>
        (Input * input + CacheRead * cacheRead + CacheWrite * cacheWrite + Output * output) / 1_000_000m;
}
